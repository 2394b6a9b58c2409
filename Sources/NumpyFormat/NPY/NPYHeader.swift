/// The parsed preamble of an `.npy` array: format version, dtype, memory order and shape.
public struct NPYHeader: Sendable, Hashable {
    public static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

    public var versionMajor: UInt8
    public var versionMinor: UInt8
    public var dtype: NPYDType
    public var fortranOrder: Bool
    public var shape: [Int]
    /// Bytes from the start of the `.npy` to the first data byte (magic, version, length, dict).
    public var dataOffset: Int

    public init(dtype: NPYDType, shape: [Int], fortranOrder: Bool = false,
                versionMajor: UInt8 = 1, versionMinor: UInt8 = 0, dataOffset: Int = 0) {
        self.dtype = dtype
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
        self.dataOffset = dataOffset
    }

    /// Number of elements; shape dimensions were checked to multiply without overflow when parsed.
    public var elementCount: Int { shape.reduce(1, *) }
    public var dataByteCount: Int { elementCount * dtype.itemSize }
    /// Whether stored order differs from C order: Fortran order with two or more axes longer than 1
    /// (with at most one such axis, both orders lay the elements out identically).
    public var needsReordering: Bool { fortranOrder && shape.filter { $0 > 1 }.count > 1 }
    /// Whether the stored bytes already are the canonical bytes (C order, little-endian).
    public var isCanonicalLayout: Bool { !dtype.needsByteSwap && !needsReordering }

    /// Bytes needed before the header dict can be parsed: 10 for version 1, 12 for 2 and 3.
    public static let minimumPreambleLength = 12

    /// Reads magic, version and header length from the first bytes of an `.npy`, returning the
    /// total length of the preamble (magic through the dict's newline).
    public static func preambleLength(of prefix: [UInt8], source: String) throws -> Int {
        guard prefix.count >= 10, Array(prefix[0..<6]) == magic else {
            throw NPYError.notNPY(source: source, reason: prefix.count < 10
                ? "only \(prefix.count) bytes, shorter than the 10-byte .npy preamble"
                : "missing the \\x93NUMPY magic")
        }
        let major = prefix[6], minor = prefix[7]
        switch (major, minor) {
        case (1, 0):
            return try checkedTotal(dictLength: Int(prefix[8]) | Int(prefix[9]) << 8, fixedBytes: 10, source: source)
        case (2, 0), (3, 0):
            guard prefix.count >= 12 else {
                throw NPYError.notNPY(source: source, reason: "preamble ends before its 4-byte header length")
            }
            let length = Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24
            return try checkedTotal(dictLength: length, fixedBytes: 12, source: source)
        default:
            throw NPYError.unsupportedVersion(source: source, major: major, minor: minor)
        }
    }

    /// The smallest header dict numpy can write, `{'descr':'<f4','fortran_order':False,'shape':()}`
    /// and its newline, is far longer; a shorter declared length (0 or 1 say) would end the preamble
    /// inside the bytes already read as its fixed part.
    static let minimumDictLength = 16

    private static func checkedTotal(dictLength: Int, fixedBytes: Int, source: String) throws -> Int {
        guard dictLength >= minimumDictLength else {
            throw NPYError.notNPY(source: source, reason: "header length \(dictLength) is too short to hold the header dict (at least \(minimumDictLength) bytes)")
        }
        return fixedBytes + dictLength
    }

    /// Parses a complete preamble (as sized by `preambleLength`) of a numeric array; an object
    /// array (a pickle) is refused here, see `parseMember`.
    public static func parse(_ preamble: [UInt8], source: String) throws -> NPYHeader {
        switch try parseMember(preamble, source: source) {
        case let .numeric(header): return header
        case .pickledObject: throw NPYError.unsupportedDType(source: source, descr: "|O")
        }
    }

    /// What a member's preamble announces: numeric data, or a pickle (dtype `|O`, which numpy
    /// writes for the `metadata` dict and which must never be unpickled by numpy's own loader).
    enum MemberKind {
        case numeric(NPYHeader)
        case pickledObject(shape: [Int], fortranOrder: Bool, dataOffset: Int)
    }

    static func parseMember(_ preamble: [UInt8], source: String) throws -> MemberKind {
        let total = try preambleLength(of: preamble, source: source)
        guard preamble.count >= total else {
            throw NPYError.notNPY(source: source, reason: "header declares \(total) bytes but only \(preamble.count) are present")
        }
        let major = preamble[6], minor = preamble[7]
        let dictBytes = preamble[(major == 1 ? 10 : 12)..<total]
        // Versions 1 and 2 store the dict as latin-1, version 3 as UTF-8.
        let text = major == 3
            ? String(decoding: dictBytes, as: UTF8.self)
            : String(String.UnicodeScalarView(dictBytes.map { Unicode.Scalar($0) }))
        let literal: PythonLiteral
        do {
            literal = try PythonLiteralParser.parse(text)
        } catch let reason as PythonLiteralParser.Failure {
            throw NPYError.malformedHeader(source: source, header: text, reason: reason.message)
        }
        guard case let .dict(entries) = literal else {
            throw NPYError.malformedHeader(source: source, header: text, reason: "header is not a dict literal")
        }
        var fields: [String: PythonLiteral] = [:]
        for (key, value) in entries {
            guard case let .string(name) = key else {
                throw NPYError.malformedHeader(source: source, header: text, reason: "header key \(key) is not a string")
            }
            fields[name] = value
        }
        guard Set(fields.keys) == ["descr", "fortran_order", "shape"] else {
            throw NPYError.malformedHeader(source: source, header: text,
                reason: "keys are \(fields.keys.sorted()), expected descr, fortran_order and shape")
        }
        guard case let .bool(fortranOrder)? = fields["fortran_order"] else {
            throw NPYError.malformedHeader(source: source, header: text, reason: "fortran_order is not True or False")
        }
        guard case let .string(descr)? = fields["descr"] else {
            throw NPYError.unsupportedDType(source: source, descr: fields["descr"].map { "\($0)" } ?? "")
        }
        let objectDescrs: Set<String> = ["|O", "O", "<O", ">O", "=O"]
        let dtype = NPYDType(descr: descr)
        guard dtype != nil || objectDescrs.contains(descr) else {
            throw NPYError.unsupportedDType(source: source, descr: descr)
        }
        let shapeText = fields["shape"].map { "\($0)" } ?? ""
        guard case let .tuple(dimensions)? = fields["shape"] else {
            throw NPYError.invalidShape(source: source, shape: shapeText, reason: "shape is not a tuple")
        }
        var shape: [Int] = []
        var bytes = dtype?.itemSize ?? 1
        for dimension in dimensions {
            guard case let .int(value) = dimension else {
                throw NPYError.invalidShape(source: source, shape: shapeText, reason: "dimension \(dimension) is not an integer")
            }
            guard value >= 0 else {
                throw NPYError.invalidShape(source: source, shape: shapeText, reason: "dimension \(value) is negative")
            }
            let (product, overflow) = bytes.multipliedReportingOverflow(by: value)
            guard !overflow else {
                throw NPYError.invalidShape(source: source, shape: shapeText, reason: "byte size overflows 64 bits")
            }
            bytes = product
            shape.append(value)
        }
        guard let dtype else { return .pickledObject(shape: shape, fortranOrder: fortranOrder, dataOffset: total) }
        return .numeric(NPYHeader(dtype: dtype, shape: shape, fortranOrder: fortranOrder,
                                  versionMajor: major, versionMinor: minor, dataOffset: total))
    }

    /// The preamble `numpy.save` writes for this dtype, order and shape, byte for byte: keys
    /// sorted, Python reprs, room for the first axis to grow, padded to 64 bytes. Format 1.0, or
    /// 2.0 (4-byte length) when the dict is too long for 1.0's 2-byte length, as numpy does.
    public func encodedPreamble() -> [UInt8] {
        Self.encodedPreamble(descr: dtype.descr, fortranOrder: fortranOrder, shape: shape)
    }

    /// The preamble for any `descr`, including the object dtype `|O` of a pickled member.
    static func encodedPreamble(descr: String, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        let shapeRepr = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeRepr), }"
        // numpy reserves GROWTH_AXIS_MAX_DIGITS (21) characters for the growing axis so that
        // appending to the file in place never needs a longer header.
        if let growing = fortranOrder ? shape.last : shape.first {
            dict += String(repeating: " ", count: max(0, 21 - String(growing).count))
        }
        let dictLength = dict.utf8.count + 1  // plus the closing newline
        let version1Padding = 64 - (10 + dictLength) % 64
        let fitsVersion1 = dictLength + version1Padding <= 0xFFFF
        let padding = fitsVersion1 ? version1Padding : 64 - (12 + dictLength) % 64
        let headerLength = dictLength + padding
        let lengthBytes = (0..<(fitsVersion1 ? 2 : 4)).map { UInt8(truncatingIfNeeded: headerLength >> (8 * $0)) }
        var bytes = NPYHeader.magic + [fitsVersion1 ? 1 : 2, 0] + lengthBytes
        bytes += Array(dict.utf8)
        bytes += [UInt8](repeating: 0x20, count: padding)
        bytes.append(0x0A)
        return bytes
    }
}

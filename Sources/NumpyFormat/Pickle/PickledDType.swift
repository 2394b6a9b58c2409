/// The few numpy dtypes that metadata values use, as a pickle spells them: `dtype('f8',
/// False, True)` plus a BUILD state carrying the byte order (spec "metadata").
///
/// Internal on purpose: the public surface speaks numpy's `descr` strings ("<f8", "|b1",
/// "|O"), which users already know from `.npy` headers.
struct PickledDType: Sendable, Hashable {
    enum Kind: Character, Sendable {
        case bool = "b"
        case signed = "i"
        case unsigned = "u"
        case float = "f"
        case object = "O"
        /// numpy `str_`: UTF-32 code units, padded with NULs.
        case unicode = "U"
        /// numpy `bytes_`: raw bytes, padded with NULs.
        case bytes = "S"
    }

    enum ByteOrder: Character, Sendable {
        case little = "<"
        case big = ">"
        case notApplicable = "|"
    }

    let kind: Kind
    /// Bytes per element (for `U`, four per character).
    let itemSize: Int
    let byteOrder: ByteOrder

    init(kind: Kind, itemSize: Int, byteOrder: ByteOrder) {
        self.kind = kind
        self.itemSize = itemSize
        // numpy reports '|' whenever order cannot matter; keep one spelling per dtype so
        // descr strings compare equal.
        self.byteOrder = Self.isOrderless(kind: kind, itemSize: itemSize) ? .notApplicable : byteOrder
    }

    private static func isOrderless(kind: Kind, itemSize: Int) -> Bool {
        switch kind {
        case .object, .bytes, .bool: return true
        case .unicode: return false
        case .signed, .unsigned, .float: return itemSize <= 1
        }
    }

    /// numpy's `dtype.str`: "<f8", "|b1", "|O", "<U5", "|S3".
    var descr: String {
        switch kind {
        case .object: return "|O"
        case .unicode: return "\(byteOrder.rawValue)U\(itemSize / 4)"
        default: return "\(byteOrder.rawValue)\(kind.rawValue)\(itemSize)"
        }
    }

    /// The first argument numpy pickles for this dtype: "f8", "b1", "O8", "U5", "S3".
    var typeCode: String {
        switch kind {
        case .object: return "O8"
        case .unicode: return "U\(itemSize / 4)"
        default: return "\(kind.rawValue)\(itemSize)"
        }
    }

    /// Parses a descr ("<f8", ">i4", "|b1", "|O", "<U3", "f8", "=f8"). A missing or '='
    /// order means little-endian: every machine numpy runs on for this pipeline is, and
    /// numpy itself never pickles '=' for a multi-byte type.
    init?(descr: String) {
        var text = Substring(descr)
        var order = ByteOrder.little
        if let first = text.first, "<>|=".contains(first) {
            order = first == ">" ? .big : (first == "|" ? .notApplicable : .little)
            text = text.dropFirst()
        }
        guard let dtype = Self(typeCode: text, byteOrder: order) else { return nil }
        self = dtype
    }

    /// Parses the type code of a `dtype(code, align, copy)` reconstruction ("f8", "O8",
    /// "U5"); the byte order comes later, from the BUILD state.
    init?<S: StringProtocol>(typeCode: S, byteOrder: ByteOrder) {
        guard let kindCharacter = typeCode.first, let kind = Kind(rawValue: kindCharacter) else { return nil }
        let digits = typeCode.dropFirst()
        if kind == .object {
            // "O" and "O8" both mean object; numpy's pickle spells it "O8" on 64-bit.
            guard digits.isEmpty || digits == "8" else { return nil }
            self.init(kind: .object, itemSize: 8, byteOrder: .notApplicable)
            return
        }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let count = Int(digits)
        else { return nil }
        let itemSize: Int
        switch kind {
        case .bool: guard count == 1 else { return nil }; itemSize = 1
        case .signed, .unsigned: guard [1, 2, 4, 8].contains(count) else { return nil }; itemSize = count
        case .float: guard [2, 4, 8].contains(count) else { return nil }; itemSize = count
        case .unicode: itemSize = count * 4
        case .bytes: itemSize = count
        case .object: return nil
        }
        self.init(kind: kind, itemSize: itemSize, byteOrder: byteOrder)
    }

    /// This dtype with another byte order (from a BUILD state) or, for flexible types
    /// pickled as "U0"/"S0", another size.
    func with(byteOrder: ByteOrder) -> PickledDType {
        PickledDType(kind: kind, itemSize: itemSize, byteOrder: byteOrder)
    }

    func with(itemSize: Int) -> PickledDType {
        PickledDType(kind: kind, itemSize: itemSize, byteOrder: byteOrder)
    }

    /// The same dtype in little-endian order, which is how `NumpyArrayValue` stores data.
    var littleEndian: PickledDType {
        byteOrder == .big ? with(byteOrder: .little) : self
    }

    // MARK: - Element bytes

    /// Decodes one element from exactly `itemSize` bytes in this dtype's byte order.
    /// Returns nil when the bytes cannot be a value of this type (a bad code point in a
    /// `U` string); the caller turns that into an error with context.
    func decodeElement(_ raw: ArraySlice<UInt8>) -> MetadataValue? {
        guard raw.count == itemSize else { return nil }
        let bytes = Array(raw)
        switch kind {
        case .bool:
            return .bool(bytes[0] != 0)
        case .signed:
            let bits = unsignedBits(bytes)
            switch itemSize {
            case 1: return .int(Int64(Int8(truncatingIfNeeded: bits)))
            case 2: return .int(Int64(Int16(truncatingIfNeeded: bits)))
            case 4: return .int(Int64(Int32(truncatingIfNeeded: bits)))
            default: return .int(Int64(bitPattern: bits))
            }
        case .unsigned:
            let bits = unsignedBits(bytes)
            if let small = Int64(exactly: bits) { return .int(small) }
            return .bigInt(String(bits))
        case .float:
            let bits = unsignedBits(bytes)
            switch itemSize {
            case 2: return .float(Double(Float16(bitPattern: UInt16(truncatingIfNeeded: bits))))
            case 4: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))))
            default: return .float(Double(bitPattern: bits))
            }
        case .unicode:
            var units: [UInt32] = []
            for start in stride(from: 0, to: bytes.count - 3, by: 4) {
                units.append(UInt32(truncatingIfNeeded: unsignedBits(Array(bytes[start..<start + 4]))))
            }
            // numpy pads to the dtype width with NULs and drops trailing ones on read;
            // interior NULs are kept.
            while units.last == 0 { units.removeLast() }
            var scalars = String.UnicodeScalarView()
            for unit in units {
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                scalars.append(scalar)
            }
            return .string(String(scalars))
        case .bytes:
            var end = bytes.count
            while end > 0, bytes[end - 1] == 0 { end -= 1 }
            return .bytes(Array(bytes[0..<end]))
        case .object:
            return nil
        }
    }

    /// Encodes one element in this dtype's byte order; nil when `value` does not fit.
    func encodeElement(_ value: MetadataValue) -> [UInt8]? {
        switch (kind, value) {
        case (.bool, .bool(let flag)):
            return [flag ? 1 : 0]
        case (.signed, .int(let integer)):
            let fits: Bool
            switch itemSize {
            case 1: fits = Int8(exactly: integer) != nil
            case 2: fits = Int16(exactly: integer) != nil
            case 4: fits = Int32(exactly: integer) != nil
            default: fits = true
            }
            return fits ? orderedBytes(UInt64(bitPattern: integer)) : nil
        case (.unsigned, .int(let integer)):
            guard integer >= 0 else { return nil }
            let magnitude = UInt64(integer)
            guard itemSize == 8 || magnitude >> UInt64(itemSize * 8) == 0 else { return nil }
            return orderedBytes(magnitude)
        case (.unsigned, .bigInt(let digits)):
            guard itemSize == 8, let magnitude = UInt64(digits) else { return nil }
            return orderedBytes(magnitude)
        case (.float, .float(let number)):
            switch itemSize {
            case 2: return orderedBytes(UInt64(Float16(number).bitPattern))
            case 4: return orderedBytes(UInt64(Float(number).bitPattern))
            default: return orderedBytes(number.bitPattern)
            }
        case (.unicode, .string(let text)):
            let scalars = text.unicodeScalars.map { UInt64($0.value) }
            guard scalars.count * 4 <= itemSize else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(itemSize)
            for scalar in scalars { out += orderedBytes(scalar, width: 4) }
            out += [UInt8](repeating: 0, count: itemSize - out.count)
            return out
        case (.bytes, .bytes(let raw)):
            guard raw.count <= itemSize else { return nil }
            return raw + [UInt8](repeating: 0, count: itemSize - raw.count)
        default:
            return nil
        }
    }

    /// Reverses each element of `data` in place when this dtype is big-endian, giving the
    /// little-endian bytes `NumpyArrayValue` stores. `U` swaps per 4-byte code unit.
    func littleEndianData(_ data: [UInt8]) -> [UInt8] {
        guard byteOrder == .big else { return data }
        let unit = kind == .unicode ? 4 : itemSize
        guard unit > 1 else { return data }
        var swapped = data
        var start = 0
        while start + unit <= swapped.count {
            swapped[start..<start + unit].reverse()
            start += unit
        }
        return swapped
    }

    // MARK: - Helpers

    private func unsignedBits(_ bytes: [UInt8]) -> UInt64 {
        var bits: UInt64 = 0
        if byteOrder == .big {
            for byte in bytes { bits = bits << 8 | UInt64(byte) }
        } else {
            for byte in bytes.reversed() { bits = bits << 8 | UInt64(byte) }
        }
        return bits
    }

    private func orderedBytes(_ bits: UInt64, width: Int? = nil) -> [UInt8] {
        let count = width ?? itemSize
        var little = (0..<count).map { UInt8(truncatingIfNeeded: bits >> UInt64($0 * 8)) }
        if byteOrder == .big { little.reverse() }
        return little
    }
}

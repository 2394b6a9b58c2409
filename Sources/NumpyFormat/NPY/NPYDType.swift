/// Byte order of an array's elements as numpy's `descr` spells it.
public enum NPYByteOrder: String, Sendable, Hashable {
    case little = "<"
    case big = ">"
    /// `|`: byte order does not apply (1-byte types).
    case notApplicable = "|"
}

/// The element kinds dosecurate reads: every numeric dtype numpy writes, plus bool.
public enum NPYScalarKind: String, Sendable, Hashable, CaseIterable {
    case bool = "b1"
    case int8 = "i1", uint8 = "u1"
    case int16 = "i2", uint16 = "u2"
    case int32 = "i4", uint32 = "u4"
    case int64 = "i8", uint64 = "u8"
    case float16 = "f2", float32 = "f4", float64 = "f8"

    public var itemSize: Int {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        }
    }

    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }
    public var isSignedInteger: Bool { [.int8, .int16, .int32, .int64].contains(self) }
    public var isUnsignedInteger: Bool { [.uint8, .uint16, .uint32, .uint64].contains(self) }
}

/// A numeric numpy dtype: element kind and byte order, parsed from a `descr` such as `<f4`.
public struct NPYDType: Sendable, Hashable, CustomStringConvertible {
    public let kind: NPYScalarKind
    public let byteOrder: NPYByteOrder

    public init(kind: NPYScalarKind, byteOrder: NPYByteOrder) {
        self.kind = kind
        // numpy writes `|` for every 1-byte type whatever order was asked for.
        self.byteOrder = kind.itemSize == 1 ? .notApplicable : (byteOrder == .notApplicable ? .little : byteOrder)
    }

    /// Parses numpy's `descr` string. Accepts `<`, `>`, `|` and `=` (native, little-endian on
    /// every platform dosecurate supports) and numpy's one-letter aliases for the same types.
    public init?(descr: String) {
        var text = Substring(descr)
        var order = NPYByteOrder.notApplicable
        if let first = text.first, "<>|=".contains(first) {
            order = first == ">" ? .big : (first == "|" ? .notApplicable : .little)
            text = text.dropFirst()
        }
        let aliases: [Substring: NPYScalarKind] = [
            "?": .bool, "b": .int8, "B": .uint8, "h": .int16, "H": .uint16,
            "e": .float16, "f": .float32, "d": .float64,
        ]
        guard let kind = NPYScalarKind(rawValue: String(text)) ?? aliases[text] else { return nil }
        if kind.itemSize > 1 && order == .notApplicable { return nil }
        self.init(kind: kind, byteOrder: order)
    }

    public var itemSize: Int { kind.itemSize }

    /// The `descr` as numpy writes it for this dtype.
    public var descr: String { byteOrder.rawValue + kind.rawValue }

    /// The little-endian form's `descr`: the canonical spelling used in identity records.
    public var canonicalDescr: String { NPYDType(kind: kind, byteOrder: .little).descr }

    /// Whether elements must be byte-swapped to reach little-endian (canonical and native) order.
    public var needsByteSwap: Bool { byteOrder == .big }

    public var description: String { descr }
}

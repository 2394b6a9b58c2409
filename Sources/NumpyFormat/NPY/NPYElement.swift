/// One element value in a form every numeric type converts from; used on conversion paths only.
public enum NPYNumber: Sendable, Equatable {
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case float(Double)
}

/// A Swift type that an array's elements can be read as. Conversions follow numpy's casting
/// rules (`NPYCasting`); a conversion the rules allow never loses the value's kind.
public protocol NPYElement: Sendable {
    static var npyKind: NPYScalarKind { get }
    init(npyNumber: NPYNumber)
    var npyNumber: NPYNumber { get }
}

extension Bool: NPYElement {
    public static var npyKind: NPYScalarKind { .bool }
    public init(npyNumber: NPYNumber) {
        switch npyNumber {
        case let .bool(value): self = value
        case let .signed(value): self = value != 0
        case let .unsigned(value): self = value != 0
        case let .float(value): self = value != 0
        }
    }
    public var npyNumber: NPYNumber { .bool(self) }
}

/// Integer conversions only ever run for casts that fit (numpy's `safe`/`same_kind` rules never
/// turn floats into integers), but clamp anyway so that no input can make them trap.
public protocol NPYIntegerElement: NPYElement, FixedWidthInteger {}

extension NPYIntegerElement {
    public init(npyNumber: NPYNumber) {
        switch npyNumber {
        case let .bool(value): self = value ? 1 : 0
        case let .signed(value): self = Self(clamping: value)
        case let .unsigned(value): self = Self(clamping: value)
        case let .float(value):
            self = value.isNaN ? 0 : (value >= Double(Self.max) ? Self.max : (value <= Double(Self.min) ? Self.min : Self(value)))
        }
    }
    public var npyNumber: NPYNumber { Self.isSigned ? .signed(Int64(truncatingIfNeeded: self)) : .unsigned(UInt64(truncatingIfNeeded: self)) }
}

extension Int8: NPYIntegerElement { public static var npyKind: NPYScalarKind { .int8 } }
extension UInt8: NPYIntegerElement { public static var npyKind: NPYScalarKind { .uint8 } }
extension Int16: NPYIntegerElement { public static var npyKind: NPYScalarKind { .int16 } }
extension UInt16: NPYIntegerElement { public static var npyKind: NPYScalarKind { .uint16 } }
extension Int32: NPYIntegerElement { public static var npyKind: NPYScalarKind { .int32 } }
extension UInt32: NPYIntegerElement { public static var npyKind: NPYScalarKind { .uint32 } }
extension Int64: NPYIntegerElement { public static var npyKind: NPYScalarKind { .int64 } }
extension UInt64: NPYIntegerElement { public static var npyKind: NPYScalarKind { .uint64 } }

public protocol NPYFloatElement: NPYElement, BinaryFloatingPoint {}

extension NPYFloatElement {
    public init(npyNumber: NPYNumber) {
        switch npyNumber {
        case let .bool(value): self = value ? 1 : 0
        case let .signed(value): self = Self(value)
        case let .unsigned(value): self = Self(value)
        case let .float(value): self = Self(value)
        }
    }
    public var npyNumber: NPYNumber { .float(Double(self)) }
}

#if arch(x86_64) || arch(arm64)
extension Float16: NPYFloatElement { public static var npyKind: NPYScalarKind { .float16 } }
#endif
extension Float: NPYFloatElement { public static var npyKind: NPYScalarKind { .float32 } }
extension Double: NPYFloatElement { public static var npyKind: NPYScalarKind { .float64 } }

/// numpy's casting rules (`numpy.can_cast`) for the conversions `NPYArray.elements(as:)` makes.
public enum NPYCasting: String, Sendable {
    /// Only conversions that preserve every value's kind and range (numpy's `safe`).
    case safe
    /// `safe`, plus narrowing within a kind (e.g. float64 → float32, numpy's `same_kind`).
    case sameKind = "same_kind"

    public func allows(from source: NPYScalarKind, to target: NPYScalarKind) -> Bool {
        if source == target || source == .bool { return true }
        let sourceRank = Self.kindRank(source), targetRank = Self.kindRank(target)
        switch self {
        case .sameKind:
            return targetRank >= sourceRank && !(source.isSignedInteger && target.isUnsignedInteger)
        case .safe:
            switch (sourceRank, targetRank) {
            case (1, 1), (2, 2), (3, 3): return target.itemSize >= source.itemSize
            case (1, 2): return target.itemSize > source.itemSize
            case (1, 3), (2, 3):
                // numpy calls int64 → float64 safe; otherwise the float must be wider.
                return target.itemSize > source.itemSize || (source.itemSize == 8 && target.itemSize == 8)
            default: return false
            }
        }
    }

    private static func kindRank(_ kind: NPYScalarKind) -> Int {
        if kind == .bool { return 0 }
        if kind.isUnsignedInteger { return 1 }
        if kind.isSignedInteger { return 2 }
        return 3
    }
}

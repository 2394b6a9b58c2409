import Support

/// Why an `.npy` array could not be read or converted. Every case names where the bytes came
/// from (`source`: a file path, or `FILE!member` for an archive member) so a user can find them.
public enum NPYError: Error, Sendable, Equatable, CustomStringConvertible {
    case notNPY(source: String, reason: String)
    case unsupportedVersion(source: String, major: UInt8, minor: UInt8)
    case malformedHeader(source: String, header: String, reason: String)
    case unsupportedDType(source: String, descr: String)
    case invalidShape(source: String, shape: String, reason: String)
    case sizeMismatch(source: String, expectedBytes: Int, foundBytes: Int)
    case exceedsCeiling(source: String, declaredBytes: Int, ceilingBytes: Int)
    case truncated(source: String, expectedBytes: Int, foundBytes: Int)
    case castNotAllowed(source: String, from: String, to: String, casting: String)
    case pickledObject(source: String)
    case wrongKind(source: String, reason: String)

    public var description: String {
        switch self {
        case let .notNPY(source, reason):
            "\(source): not a .npy array (\(reason))"
        case let .unsupportedVersion(source, major, minor):
            "\(source): .npy format version \(major).\(minor) is not supported (expected 1.0, 2.0 or 3.0)"
        case let .malformedHeader(source, header, reason):
            "\(source): malformed .npy header (\(reason)): \(header.prefix(200))"
        case let .unsupportedDType(source, descr):
            "\(source): dtype '\(descr)' is not supported (expected one of b1 i1 u1 i2 u2 i4 u4 i8 u8 f2 f4 f8 with <, > or |)"
        case let .invalidShape(source, shape, reason):
            "\(source): invalid shape \(shape): \(reason)"
        case let .sizeMismatch(source, expected, found):
            "\(source): header declares \(expected) bytes of data but the member holds \(found)"
        case let .exceedsCeiling(source, declared, ceiling):
            "\(source): header declares \(declared) bytes of data, above the reader's ceiling of \(ceiling) bytes"
        case let .truncated(source, expected, found):
            "\(source): data ends after \(found) of \(expected) bytes"
        case let .castNotAllowed(source, from, to, casting):
            "\(source): cannot convert dtype \(from) to \(to) under '\(casting)' casting"
        case let .pickledObject(source):
            "\(source): holds a pickled Python object (dtype |O), not a numeric array"
        case let .wrongKind(source, reason):
            "\(source): \(reason)"
        }
    }
}

extension NPYError: CodedError {
    public var code: String {
        switch self {
        case .notNPY: "npy.not_npy"
        case .unsupportedVersion: "npy.unsupported_version"
        case .malformedHeader: "npy.malformed_header"
        case .unsupportedDType: "npy.unsupported_dtype"
        case .invalidShape: "npy.invalid_shape"
        case .sizeMismatch: "npy.size_mismatch"
        case .exceedsCeiling: "npy.exceeds_ceiling"
        case .truncated: "npy.truncated"
        case .castNotAllowed: "npy.cast_not_allowed"
        case .pickledObject: "npy.pickled_object"
        case .wrongKind: "npy.wrong_kind"
        }
    }
}

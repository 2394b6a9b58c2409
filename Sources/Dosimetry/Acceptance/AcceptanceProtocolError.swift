import Support

/// Why a protocol could not be used; the message names the file and the offending row.
public enum AcceptanceProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: ErrorReason)
    case invalid(file: String, reason: String)
    case invalidConstraint(file: String, index: Int, reason: String)
    case unknownBuiltIn(name: String, available: [String])

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the acceptance protocol: \(reason)"
        case let .invalid(file, reason): return "\(file): not a valid acceptance protocol: \(reason)"
        case let .invalidConstraint(file, index, reason): return "\(file): constraint \(index + 1): \(reason)"
        case let .unknownBuiltIn(name, available):
            return "'\(name)' is neither a protocol file nor a built-in protocol (built-in: \(available.joined(separator: ", ")))"
        }
    }
}

extension AcceptanceProtocolError: CodedError {
    public var code: String {
        switch self {
        case .unreadable: "acceptance_protocol.unreadable"
        case .invalid: "acceptance_protocol.invalid"
        case .invalidConstraint: "acceptance_protocol.invalid_constraint"
        case .unknownBuiltIn: "acceptance_protocol.unknown_built_in"
        }
    }
}

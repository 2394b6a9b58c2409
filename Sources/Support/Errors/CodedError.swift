/// An error with a stable code and, when it wraps another, that error as its cause (after
/// swift-nio's `FileSystemError`). The code is `domain.name` (`evaluation.reference_unreadable`):
/// tests and the command line match on it, never on the message, so a message can be reworded
/// freely. Messages say what was expected and what was found, and name no command-line flag:
/// the command line adds its own hint by code.
public protocol CodedError: Error, CustomStringConvertible {
    var code: String { get }
    /// The error underneath, when this one wraps another.
    var cause: ErrorCause? { get }
}

/// The error underneath another, kept as a value: its code (when it has one) and its message,
/// compared by both, so errors that wrap one stay `Equatable` and `Sendable`.
public struct ErrorCause: Sendable, Equatable, CustomStringConvertible {
    /// The wrapped error's code, or its type's name when it has no code (a Foundation error).
    public let code: String
    public let description: String

    public init(_ error: any Error) {
        code = (error as? any CodedError)?.code ?? String(describing: type(of: error))
        description = "\(error)"
    }
}

/// What an error case says went wrong: a sentence, or another error (with what was being done
/// when it happened). A string literal is a reason, so cases read as before; `.cause(error)`
/// keeps the error underneath as a value instead of flattening it into text.
public struct ErrorReason: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    public let text: String
    public let cause: ErrorCause?

    public init(stringLiteral value: String) { (text, cause) = (value, nil) }

    public init(stringInterpolation: DefaultStringInterpolation) { (text, cause) = (String(stringInterpolation: stringInterpolation), nil) }

    private init(text: String, cause: ErrorCause) { (self.text, self.cause) = (text, cause) }

    /// `error` as the reason, after `context` (what was being read or done) when there is one.
    public static func cause(_ error: any Error, _ context: String = "") -> ErrorReason {
        ErrorReason(text: context, cause: ErrorCause(error))
    }

    public var description: String {
        guard let cause else { return text }
        return text.isEmpty ? cause.description : "\(text): \(cause)"
    }
}

extension CodedError {
    /// The cause inside the case's `ErrorReason`, found by reflection so that every error enum
    /// need not list its wrapping cases twice.
    public var cause: ErrorCause? {
        for child in Mirror(reflecting: self).children {
            if let reason = child.value as? ErrorReason { return reason.cause }
            for value in Mirror(reflecting: child.value).children.map(\.value) {
                if let reason = value as? ErrorReason { return reason.cause }
            }
        }
        return nil
    }
}

/// How bad a finding is. `error`: the case must not be trained on as is; `warning`: a person
/// should look; `info`: a measurement worth recording.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case info, warning, error

    private var rank: Int {
        switch self {
        case .info: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One thing a check found in a case: which check, how bad, a sentence a person reads, and the
/// numbers behind it.
public struct AuditFinding: Sendable, Hashable, Codable {
    public let check: String
    public let severity: Severity
    public let message: String
    public let measured: [String: Measured]

    public init(check: String, severity: Severity, message: String, measured: [String: Measured] = [:]) {
        self.check = check
        self.severity = severity
        self.message = message
        self.measured = measured
    }
}

/// A measured value in a finding, encoded as the plain JSON value it is.
public enum Measured: Sendable, Hashable, Codable {
    case integer(Int)
    case number(Double)
    case text(String)
    case flag(Bool)
    case list([Measured])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .flag(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            self = .list(try container.decode([Measured].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .integer(value): try container.encode(value)
        // JSON has no NaN or infinity: those become the canonical-JSON strings (DESIGN.md).
        case let .number(value) where !value.isFinite: try container.encode(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        case let .number(value): try container.encode(value)
        case let .text(value): try container.encode(value)
        case let .flag(value): try container.encode(value)
        case let .list(values): try container.encode(values)
        }
    }
}

extension Measured: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .flag(value) }
}

import Foundation

/// A clinical acceptance table as data (spec, dosimetry.md "Clinical acceptance table"): a JSON
/// file a user can read, copy, edit and version. Two ship with dosecurate (`protocols/` in the
/// repository, built into the binary): `current` and `published-v2.3`.
///
/// File format (`schema` "dosecurate/protocol/1"): `{schema, name, description, constraints:
/// [{structure, metric, comparison, limit, unit, description}]}`, `metric` a DVH metric name
/// (`V100`, `Dmax`, `V45cc`, …), `comparison` one of `<=`, `>=`, `<`, `>`.
public struct AcceptanceProtocol: Sendable, Hashable, Codable {
    public static let schemaName = "dosecurate/protocol/1"
    public static let defaultName = "current"

    public let schema: String
    public let name: String
    public let description: String
    public let constraints: [AcceptanceConstraint]

    public init(name: String, description: String, constraints: [AcceptanceConstraint]) {
        schema = Self.schemaName
        self.name = name
        self.description = description
        self.constraints = constraints
    }

    /// The names of the built-in protocols.
    public static var builtInNames: [String] { builtInTexts.keys.sorted() }

    /// A built-in protocol by name.
    public static func builtIn(named name: String) throws -> AcceptanceProtocol {
        guard let text = builtInTexts[name] else { throw AcceptanceProtocolError.unknownBuiltIn(name: name, available: builtInNames) }
        return try decode(Array(text.utf8), file: "built-in protocol '\(name)'")
    }

    /// `reference` is a file path, or a built-in name when no such file exists.
    public static func load(_ reference: String) throws -> AcceptanceProtocol {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory) else { return try builtIn(named: reference) }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: reference) else {
            throw AcceptanceProtocolError.unreadable(file: reference, reason: isDirectory.boolValue ? "it is a directory" : "permission denied")
        }
        return try decode(Array(data), file: reference)
    }

    /// Decodes and checks a protocol file's bytes; every problem names the row it is in.
    public static func decode(_ bytes: [UInt8], file: String) throws -> AcceptanceProtocol {
        let decoded: AcceptanceProtocol
        do {
            decoded = try JSONDecoder().decode(AcceptanceProtocol.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            // An empty coding path is the text itself (not JSON); otherwise a value the format
            // does not allow (an unknown metric or comparison) in a file that read fine.
            if context.codingPath.isEmpty { throw AcceptanceProtocolError.unreadable(file: file, reason: "\(describe(context))") }
            throw AcceptanceProtocolError.invalid(file: file, reason: describe(context))
        } catch let DecodingError.keyNotFound(key, context) {
            throw AcceptanceProtocolError.invalid(file: file, reason: "missing '\(key.stringValue)' at \(path(context))")
        } catch let DecodingError.typeMismatch(_, context) {
            throw AcceptanceProtocolError.invalid(file: file, reason: describe(context))
        } catch let DecodingError.valueNotFound(_, context) {
            throw AcceptanceProtocolError.invalid(file: file, reason: describe(context))
        } catch {
            throw AcceptanceProtocolError.unreadable(file: file, reason: .cause(error))
        }
        guard decoded.schema == schemaName else {
            throw AcceptanceProtocolError.invalid(file: file, reason: "expected schema \(schemaName), found '\(decoded.schema)'")
        }
        guard !decoded.name.isEmpty else { throw AcceptanceProtocolError.invalid(file: file, reason: "'name' is empty") }
        guard !decoded.constraints.isEmpty else { throw AcceptanceProtocolError.invalid(file: file, reason: "it has no constraints") }
        for (index, constraint) in decoded.constraints.enumerated() {
            if let problem = constraint.problem() { throw AcceptanceProtocolError.invalidConstraint(file: file, index: index, reason: problem) }
        }
        return decoded
    }

    /// Checks one dose distribution: `value(structure, metric)` is the metric of that dose, nil
    /// when the structure is absent (its constraints are then not evaluated, not failed).
    public func check(_ value: (String, DVHMetric) -> Double?) -> AcceptanceResult {
        var met = 0
        var violations: [AcceptanceResult.Violation] = []
        var notEvaluated: [String] = []
        for constraint in constraints {
            guard let measured = value(constraint.structure, constraint.metric) else {
                notEvaluated.append(constraint.text)
                continue
            }
            if constraint.comparison.holds(measured, limit: constraint.limit) {
                met += 1
            } else {
                violations.append(.init(constraint: constraint.text, structure: constraint.structure, metric: constraint.metric.rawValue,
                                        value: measured, limit: constraint.limit, unit: constraint.unit, description: constraint.description))
            }
        }
        return AcceptanceResult(met: met, violations: violations, notEvaluated: notEvaluated)
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the top level" : keys.joined(separator: ".")
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        // Enum values (metric, comparison) fail here: say what is accepted.
        if let last = context.codingPath.last?.stringValue {
            if last == "metric" {
                return "\(path(context)): metric must be one of \(DVHMetric.allCases.map(\.rawValue).joined(separator: ", "))"
            }
            if last == "comparison" {
                return "\(path(context)): comparison must be one of \(AcceptanceConstraint.Comparison.allCases.map(\.rawValue).joined(separator: ", "))"
            }
        }
        return "\(path(context)): \(context.debugDescription)"
    }
}

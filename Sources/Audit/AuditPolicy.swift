import Support
import DoseCase
import Foundation
import NumpyFormat

/// A user's audit policy (`--policy FILE.json`): per check id, thresholds to override (by the
/// names the check's definition lists) and severities to remap (`{"warning": "error"}` turns the
/// check's warnings into errors). Anything not named keeps its default. `include` names cases a
/// dataset version keeps despite audit errors, each with the written justification the manifest
/// records (`freeze`); it changes no finding.
///
/// ```json
/// {"checks": {"dose.ptv_d95": {"thresholds": {"ptv70WarnBelowGy": 66.0}},
///             "metadata.phi": {"severity": {"warning": "error"}}},
///  "include": {"case_0031": "femur labels checked by hand against the CT (J. Doe, 2026-11-02)"}}
/// ```
public struct AuditPolicy: Sendable, Codable, Equatable {
    public struct CheckPolicy: Sendable, Codable, Equatable {
        public var thresholds: [String: Double]?
        public var severity: [String: Severity]?

        public init(thresholds: [String: Double]? = nil, severity: [String: Severity]? = nil) {
            self.thresholds = thresholds
            self.severity = severity
        }
    }

    public var checks: [String: CheckPolicy]
    /// Case id → why the case is kept although the audit found errors.
    public var include: [String: String]
    /// The file it came from, for the report; nil for the defaults.
    public var source: String?

    private enum CodingKeys: String, CodingKey { case checks, include }

    public init(checks: [String: CheckPolicy] = [:], include: [String: String] = [:], source: String? = nil) {
        self.checks = checks
        self.include = include
        self.source = source
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        checks = try container.decodeIfPresent([String: CheckPolicy].self, forKey: .checks) ?? [:]
        include = try container.decodeIfPresent([String: String].self, forKey: .include) ?? [:]
        source = nil
    }

    /// Every default.
    public static let standard = AuditPolicy()

    /// Reads and validates a policy file against `catalog`: an unknown check, threshold name or
    /// severity, or a non-finite number, is refused with the name it could not place.
    public static func load(path: String, catalog: CheckCatalog = .standard) throws -> AuditPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError.invalidPolicy(path: path, reason: "the file cannot be read")
        }
        let tree: JSONValue
        do { tree = try JSONValue.parse([UInt8](data)) } catch { throw AuditError.invalidPolicy(path: path, reason: .cause(error, "not JSON")) }
        var policy = try parse(tree, path: path)
        policy.source = path
        try policy.validate(against: catalog, path: path)
        return policy
    }

    /// The policy a JSON tree spells, every key and value checked with the allowed ones named (a
    /// typo such as `"threshold"` or `"warn"` is refused, never ignored).
    static func parse(_ tree: JSONValue, path: String) throws -> AuditPolicy {
        func refuse(_ reason: String) -> AuditError { .invalidPolicy(path: path, reason: "\(reason)") }
        func object(_ value: JSONValue?, _ name: String, keys allowed: [String]? = nil) throws -> [String: JSONValue] {
            guard case let .object(members)? = value else { throw refuse("\(name) must be a JSON object") }
            if let allowed, let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw refuse("\(name) has no key '\(unknown)' (allowed: \(allowed.joined(separator: ", ")))")
            }
            return members
        }
        let top = try object(tree, "the policy", keys: ["checks", "include"])
        var checks: [String: CheckPolicy] = [:]
        let entries: [String: JSONValue] = try top["checks"].map { try object($0, "checks") } ?? [:]
        for (id, entry) in entries {
            let members = try object(entry, "checks.\(id)", keys: ["severity", "thresholds"])
            var thresholds: [String: Double]?
            if let given = members["thresholds"] {
                thresholds = try object(given, "checks.\(id).thresholds").mapValues { value in
                    switch value {
                    case let .int(integer): Double(integer)
                    case let .number(number): number
                    default: throw refuse("checks.\(id).thresholds values must be numbers")
                    }
                }
            }
            var severity: [String: Severity]?
            if let given = members["severity"] {
                let allowed = Severity.allCases.map(\.rawValue)
                severity = try Dictionary(uniqueKeysWithValues: object(given, "checks.\(id).severity").map { from, to in
                    guard let target = to.stringValue.flatMap(Severity.init(rawValue:)), Severity(rawValue: from) != nil else {
                        throw refuse("checks.\(id).severity maps a severity to a severity, each one of \(allowed.joined(separator: ", ")); found '\(from)': \(to.canonicalText)")
                    }
                    return (from, target)
                })
            }
            checks[id] = CheckPolicy(thresholds: thresholds, severity: severity)
        }
        let include = try (top["include"].map { try object($0, "include") } ?? [:]).mapValues { value in
            guard let text = value.stringValue else { throw refuse("include values are written justifications (text)") }
            return text
        }
        return AuditPolicy(checks: checks, include: include)
    }

    func validate(against catalog: CheckCatalog, path: String) throws {
        for (caseId, justification) in include where justification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw AuditError.invalidPolicy(path: path, reason: "include \(caseId) needs a written justification")
        }
        let definitions = Dictionary(uniqueKeysWithValues: catalog.definitions.map { ($0.id, $0) })
        for (id, check) in checks {
            guard let definition = definitions[id] else {
                throw AuditError.invalidPolicy(path: path, reason: "no check '\(id)' (checks: \(definitions.keys.sorted().joined(separator: ", ")))")
            }
            for (name, value) in check.thresholds ?? [:] {
                guard definition.thresholds[name] != nil else {
                    let known = definition.thresholds.keys.sorted()
                    throw AuditError.invalidPolicy(path: path, reason: "\(id) has no threshold '\(name)' (it has: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
                }
                guard value.isFinite else { throw AuditError.invalidPolicy(path: path, reason: "\(id).\(name) must be a finite number") }
            }
        }
    }

    /// The thresholds `definition`'s check runs with.
    public func thresholds(for definition: CheckDefinition) -> CheckThresholds {
        CheckThresholds(definition.thresholds.merging(checks[definition.id]?.thresholds ?? [:]) { _, override in override })
    }

    /// `finding` with its severity remapped as the policy says for its check.
    public func applied(to finding: AuditFinding) -> AuditFinding {
        guard let mapped = checks[finding.check]?.severity?[finding.severity.rawValue], mapped != finding.severity else { return finding }
        return AuditFinding(check: finding.check, severity: mapped, message: finding.message, measured: finding.measured)
    }

    /// What the audit ran with: every check's thresholds in force and the severity remaps, with
    /// the SHA-256 of their canonical JSON (DESIGN.md, "Identity").
    public func effective(for catalog: CheckCatalog) -> EffectivePolicy {
        var entries: [EffectivePolicy.Check] = []
        for definition in catalog.definitions {
            let severity = checks[definition.id]?.severity ?? [:]
            guard !definition.thresholds.isEmpty || !severity.isEmpty else { continue }
            entries.append(EffectivePolicy.Check(id: definition.id, thresholds: thresholds(for: definition).values,
                                                 severity: severity.mapValues(\.rawValue)))
        }
        let tree = MetadataValue.dict(entries.map { entry in
            MetadataEntry(key: .string(entry.id), value: .dict([
                MetadataEntry(key: .string("severity"), value: .dict(entry.severity.map { MetadataEntry(key: .string($0.key), value: .string($0.value)) })),
                MetadataEntry(key: .string("thresholds"), value: .dict(entry.thresholds.map { MetadataEntry(key: .string($0.key), value: .float($0.value)) })),
            ]))
        })
        return EffectivePolicy(source: source, sha256: SHA256Hex.of(CanonicalJSON.encodeUTF8(tree)),
                               checks: Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0) }))
    }
}

/// The policy an audit ran with, as the report shows it.
public struct EffectivePolicy: Sendable, Codable, Equatable {
    public struct Check: Sendable, Codable, Equatable {
        public let id: String
        public let thresholds: [String: Double]
        public let severity: [String: String]
    }

    /// The policy file, or nil for the defaults.
    public let source: String?
    public let sha256: String
    public let checks: [String: Check]

    /// The thresholds `definition`'s check ran with (its defaults when the policy lists none).
    public func thresholds(for definition: CheckDefinition) -> CheckThresholds {
        CheckThresholds(checks[definition.id]?.thresholds ?? definition.thresholds)
    }
}

import Support
import Audit

/// The audit's identity (DESIGN.md, "Dataset identity and the audit"): what an audit report
/// asserts, without what only says where the files lay or how the audit ran. A dataset version's
/// identity holds its digest, and `verify` re-derives the digest from the report file alone, so the
/// report cannot be edited while `verify` passes, even when the SHA-256 in the version's context is
/// rewritten to match.
///
/// It is the report's JSON (`dosecurate/audit-report/1`) without
/// - each case's `file`;
/// - in each finding, the parts its check lists in `checks[].locationFields` (a message or a
///   measured value that names files: an unreadable file's reason, a duplicate group's files);
/// - `policy.source` (the policy file's path) and `summary.cacheHits` (a cache counter);
/// - `skipped` (paths the audit passed over: special files, links, escaping archive members).
///
/// Everything else stays: each case's hash, id, plan type and status, every finding's check,
/// severity, message and measured values, the check definitions, the policy's thresholds and
/// remaps, the summary. The report lists cases by file, so the findings of a case and then the
/// cases are put in a path-free order: sorted by the UTF-8 bytes of their canonical JSON.
/// The digest is the SHA-256 of the identity's canonical JSON.
public enum AuditIdentity {
    /// The digest of an audit report file's bytes (`audits/<id>.json`); `path` names it in errors.
    public static func digest(ofReport bytes: [UInt8], path: String) throws -> String {
        let report: JSONValue
        do {
            report = try JSONValue.parse(bytes)
        } catch {
            throw LineageError.invalidRecord(path: path, reason: .cause(error, "not an audit report"))
        }
        return try identity(of: report, path: path).canonicalSHA256
    }

    /// The digest of a report in memory: the same as that of its JSON rendering, whatever its
    /// files are called.
    public static func digest(of report: AuditReport) throws -> String {
        try identity(of: try JSONValue(encoding: report), path: "<audit report>").canonicalSHA256
    }

    /// The identity tree of a report's JSON.
    public static func identity(of report: JSONValue, path: String) throws -> JSONValue {
        guard case var .object(members) = report, case let .array(cases)? = members["cases"] else {
            throw LineageError.invalidRecord(path: path, reason: "not an audit report: expected an object with a 'cases' list")
        }
        var locationFields: [String: [String]] = [:]
        for check in members["checks"]?.arrayValue ?? [] {
            guard let id = check["id"]?.stringValue else { continue }
            locationFields[id] = check["locationFields"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        var identities: [JSONValue] = []
        for (index, entry) in cases.enumerated() {
            guard case var .object(audit) = entry else {
                throw LineageError.invalidRecord(path: path, reason: "cases[\(index)] is not an object")
            }
            audit["file"] = nil
            if let findings = audit["findings"] {
                guard case let .array(list) = findings else {
                    throw LineageError.invalidRecord(path: path, reason: "cases[\(index)].findings is not a list")
                }
                audit["findings"] = .array(sortedCanonically(try list.map { try withoutLocations($0, fields: locationFields, path: path) }))
            }
            identities.append(.object(audit))
        }
        members["cases"] = .array(sortedCanonically(identities))
        members["skipped"] = nil
        if case var .object(policy)? = members["policy"] {
            policy["source"] = nil
            members["policy"] = .object(policy)
        }
        if case var .object(summary)? = members["summary"] {
            summary["cacheHits"] = nil
            members["summary"] = .object(summary)
        }
        return .object(members)
    }

    private static func withoutLocations(_ finding: JSONValue, fields: [String: [String]], path: String) throws -> JSONValue {
        guard case var .object(members) = finding else {
            throw LineageError.invalidRecord(path: path, reason: "a finding is not an object")
        }
        for field in members["check"]?.stringValue.flatMap({ fields[$0] }) ?? [] {
            if field == "message" {
                members["message"] = nil
            } else if field.hasPrefix("measured."), case var .object(measured)? = members["measured"] {
                measured[String(field.dropFirst("measured.".count))] = nil
                members["measured"] = .object(measured)
            }
        }
        return .object(members)
    }

    /// By the UTF-8 bytes of each value's canonical JSON, an order any language reproduces.
    private static func sortedCanonically(_ values: [JSONValue]) -> [JSONValue] {
        values.map { (value: $0, key: $0.canonicalUTF8) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
    }
}

import Support

/// Which kept cases are one patient, from the audit bound to a dataset version: the cases that
/// share a `dataset.duplicates` finding's `group` (exact copies under another id are already
/// excluded; near-duplicates — one patient planned twice — are both kept and must not straddle
/// roles).
enum DuplicateGroups {
    /// Case id → group id (the group's kept case ids joined by `+`: no path, so it can be identity).
    /// Only an audit that still gives the digest the version pins is read, and only through what
    /// that digest covers: a case's hash and its findings' `group`, never its file name.
    static func read(for revision: DatasetRevision, in workspace: Workspace) throws -> [String: String] {
        let reportName = revision.dataset.context.audit.report
        let bytes = try workspace.read(reportName)
        guard try AuditIdentity.digest(ofReport: bytes, path: workspace.file(reportName)) == revision.identity.auditDigest else {
            throw LineageError.invalidRecord(path: workspace.file(reportName), reason: """
                no longer holds the audit \(revision.id) was frozen with (its audit identity changed); dosecurate verify names the change
                """)
        }
        let report = try JSONValue.parse(bytes)
        let keptIdByHash = Dictionary(revision.identity.cases.map { ($0.caseHash, $0.caseId) }, uniquingKeysWith: { first, _ in first })
        var members: [String: Set<String>] = [:]
        for entry in report["cases"]?.arrayValue ?? [] {
            guard let hash = entry["caseHash"]?.stringValue, let caseId = keptIdByHash[hash] else { continue }
            for finding in entry["findings"]?.arrayValue ?? [] where finding["check"]?.stringValue == "dataset.duplicates" {
                if let group = finding["measured"]?["group"]?.stringValue { members[group, default: []].insert(caseId) }
            }
        }
        let kept = Set(revision.identity.cases.map(\.caseId))
        var groups: [String: String] = [:]
        for ids in members.values {
            let keptIds = ids.intersection(kept).sorted()
            guard keptIds.count > 1 else { continue }
            let name = keptIds.joined(separator: "+")
            for caseId in keptIds { groups[caseId] = name }
        }
        return groups
    }
}

/// Which kept cases are one patient, from the audit bound to a dataset version: the cases that
/// share a `dataset.duplicates` finding's `group` (exact copies under another id are already
/// excluded; near-duplicates — one patient planned twice — are both kept and must not straddle
/// roles).
enum DuplicateGroups {
    /// Case id → group id (the group's kept case ids joined by `+`: no path, so it can be identity).
    static func read(for revision: DatasetRevision, in workspace: Workspace) throws -> [String: String] {
        let reportName = revision.dataset.context.audit.report
        let report = try JSONValue.parse(try workspace.read(reportName))
        // The audit names files as they were when it was written; every revision's files map them to ids.
        var caseIdByFile: [String: String] = [:]
        for number in DatasetRevision.catalog(of: workspace).versions[revision.id] ?? [] {
            let files = (try? DatasetRevision.read(id: revision.id, revision: number, from: workspace))?.dataset.context.files ?? []
            for file in files { caseIdByFile[file.path] = file.caseId }
        }
        var members: [String: Set<String>] = [:]
        for entry in report["cases"]?.arrayValue ?? [] {
            guard let file = entry["file"]?.stringValue, let caseId = caseIdByFile[file] else { continue }
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

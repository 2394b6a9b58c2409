import Lineage

/// What `status` prints, in git's words: the case files that changed, went missing or are new, and
/// the records that no longer say what they said; or that the workspace is clean.
public enum StatusText {
    public static func render(_ status: WorkspaceStatus) -> String {
        let report = status.verification
        var lines = ["\(report.versions) dataset version\(report.versions == 1 ? "" : "s"), \(report.records) record\(report.records == 1 ? "" : "s"), \(report.cases) case\(report.cases == 1 ? "" : "s") (unchanged files trusted to the hash cache)"]
        if status.isClean {
            lines.append("nothing changed: every record and case file is as written, and no new case file lies under a version's inputs")
            return lines.joined(separator: "\n") + "\n"
        }
        let caseKinds: [VerificationFinding.Kind: String] = [.caseChanged: "modified", .caseMissing: "deleted", .caseUnreadable: "unreadable"]
        let cases = report.findings.filter { caseKinds[$0.kind] != nil }
        if !cases.isEmpty {
            lines.append("case files changed since they were frozen:")
            lines += cases.map { "  \(caseKinds[$0.kind] ?? "")  \($0.message)" }
        }
        if !status.newFiles.isEmpty {
            lines.append("new case files under the inputs of a version (`dosecurate freeze` them to add them):")
            lines += status.newFiles.map { "  new  \($0.path)  (under the inputs of \($0.version))" }
        }
        let records = report.findings.filter { caseKinds[$0.kind] == nil }
        if !records.isEmpty {
            lines.append("records:")
            lines += records.map { "  \($0.kind.rawValue)  \($0.message)" }
        }
        lines.append("`dosecurate verify --deep` re-reads every case file")
        return lines.joined(separator: "\n") + "\n"
    }
}

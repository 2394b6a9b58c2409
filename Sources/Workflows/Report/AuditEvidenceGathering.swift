import Audit
import Lineage
import Reports

/// Reads, for each case with a finding that can be seen, the case file and draws its evidence.
enum AuditEvidenceGathering {
    static func evidence(for report: AuditReport, in workspace: Workspace, workers: Int,
                         progress: @escaping @Sendable (String) -> Void) async -> (evidence: [AuditReportPage.Evidence], notes: [String]) {
        ([], ["TEMPORARY: evidence figures not wired yet"])
    }
}

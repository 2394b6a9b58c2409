import Audit
import DoseCase
import Foundation
import Reports

/// Reads, for each case with a finding that can be seen, the case file and draws its evidence
/// (`AuditEvidence`); a case that cannot be drawn (moved, changed since the audit) becomes a note.
/// `path` turns a file name as the report spells it into where to read it.
enum AuditEvidenceGathering {
    static func evidence(for report: AuditReport, path: @escaping @Sendable (String) -> String, workers: Int,
                         progress: @escaping @Sendable (String) -> Void) async -> (evidence: [AuditReportPage.Evidence], notes: [String]) {
        progress("drawing the evidence of \(report.cases.count { audit in audit.findings.contains { AuditEvidence.checksWithEvidence.contains($0.check) } }) cases")
        let drawn = await AuditEvidence.figures(for: report.cases, locate: { CaseLocation.parse(path($0)) }, policy: report.policy, workers: workers)
        var evidence: [AuditReportPage.Evidence] = [], notes: [String] = []
        for file in drawn.keys.sorted() {
            switch drawn[file] {
            case let .success(figures)?:
                evidence += figures.map { AuditReportPage.Evidence(file: file, findingIndex: $0.findingIndex, figure: $0.figure) }
            case let .failure(error)?:
                notes.append("\(file): no evidence drawn: \(error)")
            case nil:
                continue
            }
        }
        return (evidence, notes)
    }
}

/// The audit report page written to a folder: used by `report audits/<version>.json` and by
/// `audit … --report DIR`, which writes it in the same run.
public enum AuditReportWriter {
    /// Writes `directory/index.html` and the evidence figures; `name` is how the page names the
    /// audit; `path` opens the report's case files. Returns the files written and the notes.
    public static func write(_ report: AuditReport, name: String, to directory: String, path: @escaping @Sendable (String) -> String,
                             workers: Int, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> (files: [String], notes: [String]) {
        let page = try await page(report, name: name, path: path, workers: workers, progress: progress)
        return (try ReportFolder.write(page.page, to: directory), page.notes)
    }

    static func page(_ report: AuditReport, name: String, path: @escaping @Sendable (String) -> String, workers: Int,
                     progress: @escaping @Sendable (String) -> Void) async throws -> (page: ReportPage, notes: [String]) {
        let gathered = await AuditEvidenceGathering.evidence(for: report, path: path, workers: workers, progress: progress)
        return (try AuditReportPage.page(report, name: name, evidence: gathered.evidence, notes: gathered.notes), gathered.notes)
    }
}

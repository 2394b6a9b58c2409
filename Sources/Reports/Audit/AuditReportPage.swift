import Audit
import Foundation
import Lineage

/// The audit as a page: what was audited and how, the findings table (sortable, each finding
/// linked to the figure that shows it when there is one), and per case its findings beside their
/// evidence.
public enum AuditReportPage {
    /// One evidence figure: the finding it shows (the case file and the finding's position among
    /// the case's findings) and the figure.
    public struct Evidence: Sendable {
        public let file: String
        public let findingIndex: Int
        public let figure: ReportFigure

        public init(file: String, findingIndex: Int, figure: ReportFigure) {
            (self.file, self.findingIndex, self.figure) = (file, findingIndex, figure)
        }
    }

    /// `name` is how the reader knows the report (`audits/<version>.json`, or the folder audited).
    public static func page(_ report: AuditReport, name: String, evidence: [Evidence], notes: [String] = []) throws -> ReportPage {
        let figures = Dictionary(grouping: evidence, by: { "\($0.file)\u{0}\($0.findingIndex)" })
        let summary = report.summary
        var sections: [ReportSection] = []
        sections.append(ReportSection(title: "Summary", items: [
            .paragraph("\(summary.cases) cases: \(summary.pass) pass, \(summary.warn) with warnings, \(summary.fail) with errors; "
                       + "findings: " + Severity.allCases.reversed().map { "\(summary.findings[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + "."),
            .table(ReportTable(caption: "Findings per check", header: ["check", "error", "warning", "info"], cells: summary.byCheck.keys.sorted().map { check in
                [ReportCell(check)] + ["error", "warning", "info"].map { severity in
                    let count = summary.byCheck[check]?[severity] ?? 0
                    return ReportCell(String(count), style: count > 0 && severity != "info" ? "severity-\(severity)" : nil)
                }
            }, sortable: true)),
        ]))

        let rows = report.cases.flatMap { audit in
            audit.findings.enumerated().sorted { ($0.1.severity, $1.1.check) > ($1.1.severity, $0.1.check) }.map { index, finding -> [ReportCell] in
                let shown = figures["\(audit.file)\u{0}\(index)"]?.first
                return [ReportCell(audit.caseId ?? "–", link: "#case-\(anchor(audit.file))"), ReportCell(audit.file),
                        ReportCell(finding.severity.rawValue, sortKey: String(3 - rank(finding.severity)), style: "severity-\(finding.severity.rawValue)"),
                        ReportCell(finding.check), ReportCell(finding.message),
                        shown.map { ReportCell("figure", link: "#figure-\($0.figure.name)") } ?? ReportCell("–")]
            }
        }
        sections.append(ReportSection(title: "Findings", items: rows.isEmpty ? [.paragraph("No findings: every check passed on every case.")] : [
            .paragraph("Click a column's header to sort by it; \"figure\" opens the picture of what the check measured."),
            .table(ReportTable(header: ["case", "file", "severity", "check", "message", "evidence"], cells: rows, sortable: true)),
        ]))

        for audit in report.cases where !audit.findings.isEmpty {
            var items: [ReportSection.Item] = [.paragraph("File \(audit.file) · plan type \(audit.planType ?? "unknown")"
                                                          + (audit.caseHash.map { " · case sha256 \($0.prefix(16))…" } ?? "") + " · status \(audit.status.rawValue)")]
            items += audit.findings.map { .paragraph("\($0.severity.rawValue): \($0.check): \($0.message)") }
            for index in audit.findings.indices {
                items += (figures["\(audit.file)\u{0}\(index)"] ?? []).map { .figure($0.figure) }
            }
            sections.append(ReportSection(title: "\(audit.caseId ?? audit.file)", anchor: "case-\(anchor(audit.file))", items: items))
        }
        if !report.skipped.isEmpty {
            sections.append(ReportSection(title: "Skipped, not cases", items: [
                .table(ReportTable(header: ["path", "reason"], rows: report.skipped.map { [$0.path, $0.reason] })),
            ]))
        }
        if !notes.isEmpty { sections.append(ReportSection(title: "Notes", items: notes.map { .paragraph($0) })) }

        let policy = report.policy.source.map { "\($0) (sha256 \(report.policy.sha256.prefix(16))…)" } ?? "the defaults (sha256 \(report.policy.sha256.prefix(16))…)"
        let lineage: [(key: String, value: String)] = [
            ("Audit", name), ("Check catalog", report.catalogVersion), ("Policy", policy),
            ("Cases", "\(summary.cases) (\(summary.pass) pass, \(summary.warn) warn, \(summary.fail) fail)"),
            ("Report by", "\(ToolBuild.current.name) \(ToolBuild.current.version)" + (ToolBuild.commit.map { ", commit \($0)" } ?? "")),
        ]
        return ReportPage(title: "Audit of \(summary.cases) case\(summary.cases == 1 ? "" : "s")", subtitle: name, lineage: lineage, sections: sections)
    }

    private static func rank(_ severity: Severity) -> Int { Severity.allCases.firstIndex(of: severity) ?? 0 }

    /// A file path as an HTML id.
    static func anchor(_ file: String) -> String { ReportFigure.safeName(file) }
}

import Audit

/// The audit for a person at a terminal: one line per case (status, plan type, finding counts),
/// the findings of each case that has any, grouped by severity, then a summary. Colour only when
/// the caller says the terminal can show it.
public enum AuditTable {
    public static func render(_ report: AuditReport, colour: Bool) -> String {
        let style = Style(enabled: colour)
        var lines = ["Audit of \(counted(report.cases.count, "case")) (check catalog \(report.catalogVersion))", ""]
        let rows = report.cases.map { audit -> [String] in
            let counts = Severity.allCases.reversed().compactMap { severity -> String? in
                let count = audit.findings.count { $0.severity == severity }
                return count == 0 ? nil : (severity == .info ? "\(count) info" : counted(count, severity.rawValue))
            }
            return [audit.status.rawValue.uppercased(), audit.file, audit.caseId ?? "-", audit.planType ?? "-",
                    counts.joined(separator: ", ").ifEmpty("-")]
        }
        let table = TextTable.lines(header: ["STATUS", "FILE", "CASE", "PLAN TYPE", "FINDINGS"], rows: rows)
        lines.append(table[0])
        for (audit, line) in zip(report.cases, table.dropFirst()) {
            lines.append(style.paint(line, audit.status))
        }
        let withFindings = report.cases.filter { !$0.findings.isEmpty }
        if !withFindings.isEmpty { lines.append("") }
        for audit in withFindings {
            lines.append(style.paint("\(audit.file)", audit.status))
            for severity in Severity.allCases.reversed() {
                for finding in audit.findings where finding.severity == severity {
                    lines.append("  " + style.paint(severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0), severity)
                                 + "  \(finding.check): \(finding.message)")
                }
            }
        }
        if !report.skipped.isEmpty {
            lines.append("")
            lines.append("Skipped, not cases:")
            for skipped in report.skipped {
                lines.append("  " + style.paint("warning", Severity.warning) + "  \(skipped.path): \(skipped.reason)")
            }
        }
        lines.append("")
        lines.append(summaryLine(report))
        return lines.joined(separator: "\n") + "\n"
    }

    /// The audit's result in one line (all `--quiet` prints): cases by status, findings by severity.
    public static func summaryLine(_ report: AuditReport) -> String {
        let summary = report.summary
        return "\(counted(summary.cases, "case")): \(summary.pass) pass, \(summary.warn) warn, \(summary.fail) fail"
            + " · findings: \(counted(summary.findings["error"] ?? 0, "error")), \(counted(summary.findings["warning"] ?? 0, "warning")), \(summary.findings["info"] ?? 0) info"
            + (summary.cacheHits > 0 ? " · \(summary.cacheHits) from cache" : "")
            + (report.skipped.isEmpty ? "" : " · \(report.skipped.count) skipped")
    }

    /// "1 case", "3 cases".
    static func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

    /// ANSI colours: red for errors and failing cases, yellow for warnings, green for passes.
    struct Style {
        let enabled: Bool

        func paint(_ text: String, _ status: CaseAudit.Status) -> String {
            paint(text, code: status == .fail ? "31" : (status == .warn ? "33" : "32"))
        }

        func paint(_ text: String, _ severity: Severity) -> String {
            paint(text, code: severity == .error ? "31" : (severity == .warning ? "33" : "36"))
        }

        private func paint(_ text: String, code: String) -> String {
            enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }
    }
}

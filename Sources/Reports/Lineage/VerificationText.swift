import Lineage

/// What `verify` prints: what was checked, then each finding by kind, or that there is no drift.
public enum VerificationText {
    public static func render(_ report: VerificationReport) -> String {
        let how = report.deep ? "every case re-read (--deep)" : "unchanged files trusted to the hash cache; --deep re-reads every case"
        var lines = ["checked \(report.records) record\(report.records == 1 ? "" : "s"), \(report.versions) dataset version\(report.versions == 1 ? "" : "s"), \(report.cases) case\(report.cases == 1 ? "" : "s") (\(how))"]
        if report.readOnly { lines.append("read-only workspace: verified as it stands, nothing written (no lock file created, hash cache not updated)") }
        if report.isClean {
            lines.append("no drift: every record and case is as frozen")
        } else {
            lines.append("\(report.findings.count) finding\(report.findings.count == 1 ? "" : "s"):")
            lines += report.findings.map { "  \($0.kind.rawValue)  \($0.message)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

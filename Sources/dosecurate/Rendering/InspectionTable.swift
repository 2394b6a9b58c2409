import Reports
import DoseCase
import Foundation

/// The terminal screen for one inspected case.
enum InspectionTable {
    static func render(_ report: CaseInspection) -> String {
        var lines = [report.file]
        if let error = report.error {
            lines.append("  unreadable: \(error)")
            return lines.joined(separator: "\n") + "\n"
        }
        let version = (report.formatVersion ?? "?") + (report.formatVersionInferred == true ? " (inferred from keys)" : "")
        let spacing = (report.spacingMM ?? []).map { String(format: "%g", $0) }.joined(separator: " × ")
        let spacingNote = report.spacingGuessed == true ? " — GUESSED, no spacing in metadata" : " (from \(report.spacingSource ?? "?"))"
        let plan = report.planType
        let planNote = plan?.stored == nil ? "" : (plan?.agree == true ? "  (agree)" : "  (DISAGREE)")
        let normalisation = report.normalizationDoseGy.map { String(format: "%g Gy", $0) } ?? "not recorded"
        lines += [
            "  case id      \(report.caseId ?? "?")  (from \(report.caseIdSource ?? "?"))",
            "  version      \(version)",
            "  spacing      \(spacing) mm\(spacingNote)",
            "  plan type    stored \(plan?.stored ?? "—"), implied by masks \(plan?.implied ?? "—")\(planNote)",
            "  dose norm.   \(normalisation)",
            "  case hash    \(report.caseHash ?? "?")",
            "",
        ]
        let rows = report.arrayOrder.compactMap { key in report.arrays[key].map { (key, $0) } }.map { key, entry in
            [key, entry.storedDType, entry.shape.map(String.init).joined(separator: "×").ifEmpty("scalar"),
             entry.fortranOrder ? "F" : "C", entry.compression, megabytes(entry.compressedBytes), megabytes(entry.inflatedBytes)]
        }
        lines += TextTable.lines(header: ["array", "dtype", "shape", "order", "member", "stored MB", "inflated MB"], rows: rows, rightAligned: 5)
        if let channels = report.channels, !channels.isEmpty {
            lines.append("")
            lines += TextTable.lines(header: ["ch", "structure", "voxels", "volume cc"],
                           rows: channels.map { ["\($0.index)", $0.name, "\($0.voxels)", String(format: "%.1f", $0.volumeCC)] },
                           rightAligned: 2)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func megabytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_000_000) }
}

import Reports
import Phantoms

/// The terminal summary of a written phantom cohort: one row per file.
enum CohortTable {
    static func render(_ truth: CohortTruth, directory: String) -> String {
        let rows = truth.cases.keys.sorted().compactMap { file in
            truth.cases[file].map { entry in
                [file, entry.caseId, entry.formatVersion, entry.planType, entry.defects.joined(separator: ", ").ifEmpty("—"),
                 entry.expect.joined(separator: ", ").ifEmpty("—")]
            }
        }
        let defective = truth.cases.values.filter { !$0.defects.isEmpty }.count
        var lines = ["\(directory): \(truth.cases.count) files (\(truth.cases.count - defective) clean, \(defective) with planted defects), "
            + "size \(truth.generator.size), seed \(truth.generator.seed)"]
        lines += TextTable.lines(header: ["file", "case id", "version", "plan type", "defect", "audit must flag"], rows: rows)
        return lines.joined(separator: "\n") + "\n"
    }
}

import Dosimetry
import Evaluation
import Foundation

/// `compare` on a terminal: what was compared and how, one row per metric, the cases, and the
/// record file when one was written (`--record`).
public enum ComparisonText {
    public static func render(_ record: ComparisonRecord, recordFile: String? = nil, alreadyRecorded: Bool = false) -> String {
        let comparison = record.identity
        var lines = headerLines(record)
        lines.append("")
        let (header, rows) = metricTable(comparison)
        lines += TextTable.lines(header: header, rows: rows, rightAligned: 1)
        lines.append("* significant after Holm at α = \(number(comparison.alpha)); d = paired Cohen's d of Δ; "
                     + "test: exact null distribution, exact permutation (ties or zeros, n ≤ 13) or normal approximation with tie correction")
        // With m nonzero differences the smallest two-sided exact p is 2/2ᵐ: say when no result could be significant.
        let hopeless = comparison.metrics.compactMap { row -> (String, Double)? in
            guard let test = row.wilcoxon, test.method == .exact || test.method == .permutation, test.pairs > test.zeroDifferences else { return nil }
            let smallest = 2 / pow(2, Double(test.pairs - test.zeroDifferences))
            return smallest > comparison.alpha ? (row.metric.name, smallest) : nil
        }
        if !hopeless.isEmpty {
            lines.append("note: too few cases for significance: the smallest possible p is "
                         + hopeless.map { "\(pValue($0.1)) for \($0.0)" }.joined(separator: ", ") + " (> α whatever the data)")
        }
        for row in comparison.metrics where !row.casesWithoutValue.isEmpty {
            lines.append("note: \(row.metric.name): no value on one side for \(row.casesWithoutValue.joined(separator: ", "))")
        }
        lines.append("")
        lines.append("common cases (\(comparison.commonCases.count)): \(comparison.commonCases.joined(separator: ", "))")
        if !comparison.onlyInA.isEmpty { lines.append("only in A (left out): \(comparison.onlyInA.joined(separator: ", "))") }
        if !comparison.onlyInB.isEmpty { lines.append("only in B (left out): \(comparison.onlyInB.joined(separator: ", "))") }
        for (name, cases) in comparison.casesMissingFromSomeRecords.sorted(by: { $0.key < $1.key }) {
            lines.append("note: side \(name) lacks \(cases.joined(separator: ", ")) in some records: those means use fewer seeds")
        }
        if let recordFile {
            lines.append(alreadyRecorded ? "record: \(recordFile) (already recorded; nothing written)" : "record: \(recordFile)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What was compared with what, on which data, and how the statistics were made.
    static func headerLines(_ record: ComparisonRecord) -> [String] {
        let comparison = record.identity
        var lines: [String] = []
        let labels = Dictionary((record.context.a + record.context.b).map { ($0.hash, $0.label) }, uniquingKeysWith: { first, _ in first })
        func side(_ name: String, _ records: [EvaluationComparison.RecordReference]) -> String {
            let described = records.map { EvaluationText.describe($0, label: labels[$0.hash] ?? nil) }
            return "\(name): \(records.count) evaluation\(records.count == 1 ? "" : "s") (\(described.joined(separator: ", ")))"
        }
        lines.append("comparing \(side("A", comparison.a)) with \(side("B", comparison.b)) on \(comparison.commonCases.count) common cases")
        let made = comparison.provenance
        var pinned = made.datasetVersion.map { "made on \($0)" } ?? "made on unpinned files"
        if let split = made.split { pinned += ", split \(split.name)@\(split.revision) (\(split.role))" }
        lines.append("\(pinned); protocol \(made.protocolName) (\(made.protocolHash.prefix(12))…); gamma \(made.gamma)")
        for mismatch in comparison.mismatches { lines.append("WARNING (--allow-mismatch): \(mismatch.description)") }
        lines.append("per case, each side's evaluations (seeds) are averaged first; n = cases; Δ = B − A")
        let bootstrap = comparison.bootstrap
        lines.append("95 % CI: percentile bootstrap of the mean, \(bootstrap.resamples) resamples, seed \(bootstrap.seed) (the same resamples for A, B and Δ)")
        let tested = comparison.metrics.filter { $0.holm != nil }.count
        lines.append("test: \(comparison.test); Holm–Bonferroni step-down over \(tested) metric\(tested == 1 ? "" : "s"), α = \(number(comparison.alpha))")
        return lines
    }

    /// One row per metric: both sides, the difference with its interval, the test and the Holm decision.
    static func metricTable(_ comparison: EvaluationComparison) -> (header: [String], rows: [[String]]) {
        let header = ["metric", "n", "A mean ± sd", "A 95% CI", "B mean ± sd", "B 95% CI", "Δ mean", "Δ 95% CI", "p", "test", "p Holm", "d"]
        let rows = comparison.metrics.map { row -> [String] in
            let unit = row.metric.unit.isEmpty ? "" : " (\(row.metric.unit))"
            let rejected = row.holm?.rejected == true ? " *" : ""
            return [
                row.metric.name + unit, String(row.n), meanAndSD(row.a), interval(row.a.ci95), meanAndSD(row.b), interval(row.b.ci95),
                EvaluationText.format(row.difference.mean, 2, signed: true), interval(row.difference.ci95), pValue(row.wilcoxon?.pValue), testName(row.wilcoxon?.method),
                pValue(row.holm?.adjustedPValue) + rejected, EvaluationText.format(row.cohensD, 2, signed: true),
            ]
        }
        return (header, rows)
    }

    private static func testName(_ method: WilcoxonSignedRank.Method?) -> String {
        switch method {
        case .exact: return "exact"
        case .permutation: return "permutation"
        case .normalApproximation: return "normal"
        case nil: return "–"
        }
    }

    private static func number(_ value: Double) -> String { String(format: "%g", value) }

    private static func meanAndSD(_ statistics: EvaluationComparison.Statistics) -> String {
        guard let mean = statistics.mean else { return "–" }
        return EvaluationText.format(mean, 2) + (statistics.std.map { " ± " + EvaluationText.format($0, 2) } ?? "")
    }

    private static func interval(_ interval: PercentileBootstrap.Interval?) -> String {
        guard let interval else { return "–" }
        return "[\(EvaluationText.format(interval.lower, 2)), \(EvaluationText.format(interval.upper, 2))]"
    }

    /// Three significant digits; small p in scientific notation.
    private static func pValue(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value < 0.001 ? String(format: "%.2e", value) : String(format: "%.3f", value)
    }
}

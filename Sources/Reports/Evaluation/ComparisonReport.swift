import Evaluation
import Lineage

/// The comparison report: what was compared with what, the Wilcoxon / Holm table, a forest plot
/// of each metric's difference B − A with its bootstrap interval, and per-case paired plots (A
/// and B joined per case) from the record's per-case means.
public enum ComparisonReport {
    public static func page(_ record: ComparisonRecord, recordName: String) throws -> ReportPage {
        let comparison = record.identity
        let (header, rows) = ComparisonText.metricTable(comparison)
        var sections = [ReportSection(title: "Summary", items: ComparisonText.headerLines(record).map { .paragraph($0) } + [
            .table(ReportTable(caption: "Per metric (Δ = B − A; * significant after Holm)", header: header, rows: rows)),
        ])]
        sections.append(ReportSection(title: "Differences", items: [.figure(forest(comparison))]))
        sections.append(ReportSection(title: "Per case", items: [.figure(paired(record))]))
        var cases: [ReportSection.Item] = [.paragraph("Common cases (\(comparison.commonCases.count)): \(comparison.commonCases.joined(separator: ", ")).")]
        if !comparison.onlyInA.isEmpty { cases.append(.paragraph("Only in A (left out): \(comparison.onlyInA.joined(separator: ", ")).")) }
        if !comparison.onlyInB.isEmpty { cases.append(.paragraph("Only in B (left out): \(comparison.onlyInB.joined(separator: ", ")).")) }
        sections.append(ReportSection(title: "Cases", items: cases))
        let sides = { (sources: [ComparisonRecord.Context.Source]) in sources.map { "evaluations/\($0.hash.prefix(16)).json" }.joined(separator: " ") }
        sections.append(ReportSection(title: "Reproduce", items: [
            .commands(["dosecurate compare --a \(sides(record.context.a)) --b \(sides(record.context.b)) --seed \(comparison.bootstrap.seed) "
                       + "--resamples \(comparison.bootstrap.resamples) --record", "dosecurate verify", "dosecurate report \(record.hash.prefix(16))"]),
        ]))
        var lineage: [(key: String, value: String)] = [("Comparison", "\(recordName) (sha256 \(record.hash))")]
        for (name, sources) in [("A", record.context.a), ("B", record.context.b)] {
            lineage.append((name, sources.map { "\($0.hash.prefix(16))" + ($0.label.map { " \"\($0)\"" } ?? "") }.joined(separator: ", ")))
        }
        lineage.append(("Dataset version", comparison.provenance.datasetVersion ?? "none (unpinned files)"))
        if let split = comparison.provenance.split { lineage.append(("Split", "\(split.name)@\(split.revision), role \(split.role)")) }
        lineage.append(("Protocol", comparison.provenance.protocolName))
        lineage.append(("Gamma", comparison.provenance.gamma))
        lineage.append(("Report by", "\(ToolBuild.current.name) \(ToolBuild.current.version)" + (ToolBuild.commit.map { ", commit \($0)" } ?? "")))
        let title = "Comparison \(record.hash.prefix(16))" + (record.context.label.map { " — \($0)" } ?? "")
        return ReportPage(title: title, subtitle: "\(comparison.commonCases.count) common cases · compared \(record.context.createdAt)",
                          lineage: lineage, sections: sections)
    }

    /// Each metric's mean difference B − A with its 95 % bootstrap interval.
    static func forest(_ comparison: EvaluationComparison) -> ReportFigure {
        let rows = comparison.metrics.map { metric in
            ForestPlot.Row(metric: metric.metric.name, unit: metric.metric.unit, estimate: metric.difference.mean,
                           low: metric.difference.ci95?.lower, high: metric.difference.ci95?.upper)
        }
        return ReportFigure(name: "forest", title: "Differences B − A",
                            caption: "Mean per-case difference B − A of each metric (square) with its 95 % percentile bootstrap interval "
                                + "(\(comparison.bootstrap.resamples) resamples, seed \(comparison.bootstrap.seed)); the line at 0 is no difference.",
                            svg: ForestPlot(title: "Mean difference B − A with 95 % CI", rows: rows).svg())
    }

    /// Per metric, each common case's A and B values (seed means) joined by a line.
    static func paired(_ record: ComparisonRecord) -> ReportFigure {
        let nameA = sideName("A", record.context.a), nameB = sideName("B", record.context.b)
        let panels: [any ChartFigure] = record.identity.metrics.map { metric in
            let unit = metric.metric.unit.isEmpty ? "" : " (\(metric.metric.unit))"
            return PairedPlot(title: metric.metric.name, yLabel: metric.metric.name + unit, nameA: nameA, nameB: nameB,
                              pairs: metric.perCase.keys.sorted().map { caseId in
                                  let values = metric.perCase[caseId] ?? []
                                  return PairedPlot.Pair(label: caseId, a: values.first, b: values.count > 1 ? values[1] : nil)
                              })
        }
        return ReportFigure(name: "paired", title: "Per case, A and B",
                            caption: "Each case's value under A and under B (each side's seeds averaged), joined per case: whether most cases "
                                + "moved the same way, not only the means.",
                            svg: ChartPanels(title: "Per case: A → B", panels: panels, columns: 3).svg())
    }

    private static func sideName(_ side: String, _ sources: [ComparisonRecord.Context.Source]) -> String {
        let labels = Set(sources.compactMap(\.label))
        return labels.count == 1 ? "\(side): \(labels.first ?? "")" : side
    }
}

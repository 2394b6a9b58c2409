import Foundation
import Lineage

/// A dataset version on one page, before anyone trains on it: the cohort at a glance
/// (institutions × plan types, the PTV70 volume histogram with each split's tertile boundaries),
/// every locked split's strata and roles, the excluded cases with reasons and the inclusions a
/// policy justified.
public enum DatasetVersionReport {
    /// `splits`: the latest revision of every split locked on this version.
    public static func page(_ revision: DatasetRevision, splits: [SplitRevision]) throws -> ReportPage {
        let identity = revision.identity
        var sections: [ReportSection] = []
        let planTypes = Set(identity.cases.map { $0.planType ?? "unknown" }).sorted()
        let institutions = Set(identity.cases.map(\.institution)).sorted()
        let cohort = ReportTable(caption: "Kept cases by plan type × institution", header: ["plan type"] + institutions + ["total"],
                                 rows: planTypes.map { planType in
                                     let counts = institutions.map { institution in
                                         identity.cases.count { ($0.planType ?? "unknown") == planType && $0.institution == institution }
                                     }
                                     return [planType] + counts.map(String.init) + [String(counts.reduce(0, +))]
                                 })
        var glance: [ReportSection.Item] = [.paragraph(DatasetVersionText.summaryLine(revision.dataset)), .table(cohort)]
        if let histogram = volumeHistogram(revision, splits: splits) { glance.append(.figure(histogram)) }
        sections.append(ReportSection(title: "The cohort at a glance", items: glance))

        for split in splits {
            let strata = SplitText.strataTable(split), coverage = SplitText.testCoverageTable(split, dataset: revision)
            let split = split.identity
            var items: [ReportSection.Item] = [
                .paragraph("Seed \(split.seed); ratios \(split.ratios.text); strata \(split.strata.keys.joined(separator: ", "))"
                           + (split.strata.ptv70TertileBoundariesCC.map { " (PTV70 tertiles ≤ " + $0.map { "\(MarkupNumber.format($0)) cc" }.joined(separator: ", ≤ ") + ")" } ?? "")
                           + (split.folds.map { "; \($0) folds" } ?? "") + "."),
                .table(ReportTable(caption: "Cases per stratum and role", header: strata.header, rows: strata.rows)),
                .table(ReportTable(caption: "Test set by plan type × institution", header: coverage.header, rows: coverage.rows)),
            ]
            items += split.strata.pooled.map { .paragraph("Pooled: \($0.stratum) (\($0.units) unit\($0.units == 1 ? "" : "s")) into \($0.into): too small to split alone.") }
            let testCases = split.cases.filter { $0.role == .test }.map(\.caseId)
            items.append(.paragraph("Test cases (\(testCases.count)): \(testCases.joined(separator: ", "))."))
            sections.append(ReportSection(title: "Split \(splitName(split, in: splits))", items: items))
        }
        if splits.isEmpty {
            sections.append(ReportSection(title: "Splits", items: [.paragraph("No split is locked on this version yet: dosecurate split lock NAME --dataset \(revision.id).")]))
        }

        let excluded = DatasetVersionText.excludedTable(identity), included = DatasetVersionText.includedTable(identity)
        sections.append(ReportSection(title: "Excluded cases", items: excluded.rows.isEmpty ? [.paragraph("None.")] : [
            .table(ReportTable(header: excluded.header, rows: excluded.rows)),
            .paragraph("The audit report shows why: dosecurate report \(revision.dataset.context.audit.report)."),
        ]))
        sections.append(ReportSection(title: "Included despite audit errors", items: included.rows.isEmpty ? [.paragraph("None.")] : [
            .table(ReportTable(header: included.header, rows: included.rows)),
        ]))
        sections.append(ReportSection(title: "Reproduce", items: [.commands([
            "dosecurate verify", "dosecurate report \(revision.id)", "dosecurate report \(revision.dataset.context.audit.report)",
        ])]))

        let context = revision.dataset.context
        var lineage: [(key: String, value: String)] = [
            ("Dataset version", "\(revision.reference) (\(revision.fileName); sha256 \(revision.envelope.storedHash.prefix(16))…)"),
            ("Created", context.createdAt + (context.parent.map { ", from \($0)" } ?? "")),
            ("Audit", "\(context.audit.report) (digest \(identity.auditDigest.prefix(16))…)"),
            ("Frozen by", "\(context.tool.name) \(context.tool.version)"),
        ]
        lineage.append(("Report by", "\(ToolBuild.current.name) \(ToolBuild.current.version)" + (ToolBuild.commit.map { ", commit \($0)" } ?? "")))
        return ReportPage(title: "Dataset version \(revision.id)", subtitle: DatasetVersionText.summaryLine(revision.dataset), lineage: lineage,
                          sections: sections)
    }

    private static func splitName(_ identity: LockedSplit.Identity, in splits: [SplitRevision]) -> String {
        splits.first { $0.identity == identity }?.reference ?? "?"
    }

    /// Kept cases' PTV70 volumes in 10 cc bins, with every split's tertile boundaries as lines.
    static func volumeHistogram(_ revision: DatasetRevision, splits: [SplitRevision]) -> ReportFigure? {
        // A record may carry NaN ("NaN" in canonical JSON); it has no bin.
        let volumes = revision.identity.cases.compactMap(\.ptv70VolumeCC).filter(\.isFinite)
        guard let low = volumes.min(), let high = volumes.max() else { return nil }
        let ticks = ChartTicks(covering: low, high, count: 8)
        let width = ticks.step, start = ticks.lower
        let bins = max(1, Int(((ticks.upper - start) / width).rounded()))
        var counts = [Int](repeating: 0, count: bins)
        for volume in volumes { counts[min(bins - 1, max(0, Int((volume - start) / width)))] += 1 }
        // A histogram as a step outline: up and across each bin.
        var outline: [LineChart.Point] = [.init(x: start, y: 0)]
        for (index, count) in counts.enumerated() {
            let left = start + Double(index) * width
            outline += [.init(x: left, y: Double(count)), .init(x: left + width, y: Double(count))]
        }
        outline.append(.init(x: start + Double(bins) * width, y: 0))
        var series = [LineChart.Series(name: "cases", points: outline, colour: ChartPalette.blue)]
        let top = Double(counts.max() ?? 1)
        var legend = [ChartLegend.Entry("cases per \(MarkupNumber.format(width)) cc", colour: ChartPalette.blue, symbol: .line(dashed: false))]
        for (index, split) in splits.enumerated() {
            guard let boundaries = split.identity.strata.ptv70TertileBoundariesCC else { continue }
            let colour = ChartPalette.colour(at: index + 1)
            for (number, boundary) in boundaries.enumerated() {
                series.append(.init(name: "\(split.reference) tertile boundary \(number + 1)", points: [.init(x: boundary, y: 0), .init(x: boundary, y: top)],
                                    colour: colour, dashed: true))
            }
            legend.append(.init("\(split.reference) tertile boundaries", colour: colour, symbol: .line(dashed: true)))
        }
        let chart = LineChart(title: "PTV70 volume of the kept cases", xLabel: "PTV70 volume (cc)", yLabel: "Cases", series: series,
                              xRange: ticks.lower...ticks.upper, yRange: 0...max(1, top), legend: ChartLegend(legend))
        return ReportFigure(name: "ptv70-volumes", title: "PTV70 volumes",
                            caption: "How many kept cases have each PTV70 volume (\(MarkupNumber.format(width)) cc bins); dashed: the tertile "
                                + "boundaries each locked split stratified by.", svg: chart.svg())
    }
}

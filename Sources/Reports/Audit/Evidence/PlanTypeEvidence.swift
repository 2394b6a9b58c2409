import Audit
import DoseCase
import Dosimetry

/// `plan.type`: which PTV masks hold voxels (the masks' plan type), beside the dose in each PTV's
/// own region (`PlanTypeCheck.ownRegionDoseShares`, the check's regions) with the 70, 56 and
/// 50.4 Gy levels and each region's median marked: a mislabelled SIB plan shows three targets and
/// three dose levels where its label says one.
enum PlanTypeEvidence {
    static let check = PlanTypeCheck.id
    static let targets = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4]
    static let levelsGy = [70.0, 56, 50.4]

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        let volumes = targets.map { name in facts.structures[name].map { Double($0.geometry.voxels) * facts.spacing.voxelVolumeCC } }
        let labels = zip(targets, volumes).map { name, volume in (volume ?? 0) > 0 ? name : "\(name) (absent)" }
        let presence = BarChart(
            title: "PTV masks: imply \(finding.text("masks") ?? "?")" + (finding.text("metadata").map { "; labelled \($0)" } ?? ""), categories: labels,
            series: [BarChart.Series(name: "volume", values: volumes, colour: ChartPalette.blue)], xLabel: "Target channel", yLabel: "Volume (cc)")
        var series: [LineChart.Series] = [], markers: [LineChart.Marker] = [], data: [(String, String)] = []
        let regions = [(StructureChannel.ptv70, [String](), "ptv70RegionMedian")] + PlanTypeCheck.secondaryTargets.map { ($0.name, $0.higher, $0.key) }
        for (index, (name, higher, key)) in regions.enumerated() {
            guard let shares = PlanTypeCheck.ownRegionDoseShares(facts, structure: name, higher: higher), !shares.isEmpty else { continue }
            let gy = shares.map { Float($0 * 70) }
            let colour = ChartPalette.structureColour(name, index: index)
            let label = higher.isEmpty ? name : "\(name) only"
            let points = EvidenceHistogram.points(ValueHistogram(gy, range: 0...84, bins: 168))
            series.append(LineChart.Series(name: label, points: points, colour: colour))
            if let median = Percentile.lower(sortedValues: shares.sorted(), percent: 50) {
                // At the region's peak, so the three labels stand at different heights.
                let peak = points.compactMap(\.y).max() ?? 0
                markers.append(LineChart.Marker(x: median * 70, y: peak, label: "median \(ChartMarks.decimal(median * 70, 1)) Gy", colour: colour))
                data.append(("data-\(key.lowercased())", ChartMarks.exact(median)))
            }
        }
        guard !series.isEmpty else { return nil }
        let histogram = LineChart(
            title: "Dose in each PTV's own region", xLabel: "Dose (Gy, stored × normalisation)", yLabel: "Voxels per 0.5 Gy (%)", series: series,
            markers: markers, xRange: 0...84, verticalLines: levelsGy.map { LineChart.VerticalLine(x: $0, label: "\(MarkupNumber.format($0)) Gy") })
        let sources = [("masks", "masks"), ("metadata", "metadata.case_type"), ("constraints", "constraints[1…2]")]
            .compactMap { key, source in finding.text(key).map { "\(source): \($0)" } }
        return EvidenceDrawing(
            title: "\(finding.check): plan type from masks, label and dose",
            caption: "Left, the volume of each PTV mask (a mask with no voxels is absent); right, the dose in each PTV's own region (the PTV minus the higher PTVs), with the 70 / 56 / 50.4 Gy levels and each region's median. A region whose median sits at its level is a real target. \(sources.joined(separator: "; ")).",
            image: nil, charts: [presence, histogram], data: data)
    }
}

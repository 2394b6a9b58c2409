import Audit
import DoseCase
import Dosimetry

/// `dose.ptv_d95`: the dose colourwash through the target's centroid with its contour and its
/// 1 mm and 2 mm erosions, and the DVH of all three with the warning level and each D95 marked.
/// Erosions and D95s come from `ErodedTarget`, the check's own computation.
enum PTVD95Evidence {
    static let check = PTVD95Check.id

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        guard let name = finding.text("structure"), let target = PTVD95Check.targets.first(where: { $0.name == name }),
              let structure = facts.structures[name], let doses = structure.dose, let centroid = structure.geometry.centroidVoxel,
              facts.dose != nil else { return nil }
        let limits = context.thresholds(PTVD95Check().definition)
        let warnBelowGy = limits["\(target.key)WarnBelowGy"]
        let erosions = ErodedTarget.erosions(of: structure, in: facts, radiiMM: PTVD95Check.erosionRadiiMM)
        let erodedColours = [EvidenceColours.white, EvidenceColours.cyan]
        // Innermost first, the structure's own contour last: where an erosion removes nothing (a
        // 1 mm erosion of 2 mm voxels) its line lies under the contour, and the caption says so.
        var outlines: [EvidenceOutline] = []
        for (erosion, colour) in zip(erosions, erodedColours).reversed() {
            if let erosion { outlines.append(.mask("\(name) − \(MarkupNumber.format(erosion.radiusMM)) mm", erosion.mask.elements, colour: colour)) }
        }
        outlines.append(.structure(name, structure, colour: EvidenceColours.red))
        let voxelText = erosions.compactMap { erosion in
            erosion.map { "\(MarkupNumber.format($0.radiusMM)) mm erosion keeps \($0.dose.voxels) of \(doses.voxels) voxels" }
        }.joined(separator: ", ")
        let slices = EvidenceSlices(
            context: context, title: "\(name) through its centroid: dose, contour and 1 / 2 mm erosions", planes: SlicePlane.allCases,
            voxel: context.voxel(near: centroid), showsDose: true, outlines: outlines,
            drawn: "\(name) in red, eroded by 1 mm in white and by 2 mm in cyan (\(voxelText)); an erosion that keeps every voxel lies under the red line.")

        let curves: [(String, StructureDose, String, Bool)] = [(name, doses, ChartPalette.vermillion, false)]
            + zip(erosions, [ChartPalette.black, ChartPalette.blue]).compactMap { erosion, colour in
                erosion.map { ("\(name) − \(MarkupNumber.format($0.radiusMM)) mm", $0.dose, colour, $0.radiusMM == 1) }
            }
        let series = curves.map { label, dose, colour, dashed in
            LineChart.Series(name: label, points: dose.cumulativeCurve(stepGy: 0.25).map { LineChart.Point(x: $0.doseGy, y: $0.volumePercent) },
                             colour: colour, dashed: dashed)
        }
        // One marker per distinct D95: an erosion that changes nothing would print over the same point.
        var markers: [LineChart.Marker] = []
        for (label, dose, colour, _) in curves {
            guard let d95 = dose.doseGy(covering: 95) else { continue }
            if let same = markers.firstIndex(where: { $0.x == d95 }) {
                markers[same].label += ", " + label
            } else {
                markers.append(LineChart.Marker(x: d95, y: 95, label: "D95 \(ChartMarks.decimal(d95, 1)) Gy: \(label)", colour: colour))
            }
        }
        let dvh = LineChart(
            title: "\(name) DVH: whole, and eroded by 1 and 2 mm", xLabel: "Dose (Gy)", yLabel: "Volume (%)", series: series, markers: markers,
            yRange: 0...100, verticalLines: [LineChart.VerticalLine(x: warnBelowGy, label: "\(MarkupNumber.format(warnBelowGy)) Gy (95 % of \(MarkupNumber.format(target.levelGy)) Gy)",
                                                                     colour: ChartPalette.vermillion)])
        let d95Text = curves.compactMap { label, dose, _, _ in dose.doseGy(covering: 95).map { "\(label) \(ChartMarks.decimal($0, 1)) Gy" } }
        return EvidenceDrawing(
            title: "\(finding.check): \(name) D95",
            caption: "Dose through the \(name) centroid with its contour (red) and its 1 mm (white) and 2 mm (cyan) erosions; below, the DVH of each with D95 marked (\(d95Text.joined(separator: ", "))) against \(MarkupNumber.format(warnBelowGy)) Gy. A D95 that recovers on erosion means the mask edge lies in the dose fall-off (a resampling artifact), not an underdosed plan.",
            image: try slices.figure(), charts: [dvh],
            data: [("data-structure", name)] + zip(["data-d95-gy"] + erosions.map { "data-d95-eroded-\(MarkupNumber.format($0?.radiusMM ?? 0))mm-gy" },
                                                   [doses.doseGy(covering: 95)] + erosions.map { $0?.dose.doseGy(covering: 95) })
                .compactMap { key, value in value.map { (key, ChartMarks.exact($0)) } })
    }
}

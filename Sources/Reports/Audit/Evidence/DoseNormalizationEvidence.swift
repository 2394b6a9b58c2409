import Audit
import DoseCase
import Dosimetry

/// `dose.normalization`: PTV70's dose as every consumer reads it (stored × 70 Gy) beside the dose
/// the case's own `normalization_dose_gy` says it is, with 70 Gy marked and the clinical
/// 95–107 % band shaded: a plan normalised to 74 Gy reads about 5 % low everywhere.
enum DoseNormalizationEvidence {
    static let check = DoseNormalizationCheck.id
    /// PTV70 coverage to hot spot: 95 % (66.5 Gy) to 107 % (74.9 Gy) of 70 Gy (dosimetry.md, acceptance).
    static let expectedGy: ClosedRange<Double> = 66.5...74.9

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        guard let ptv70 = facts.structures[StructureChannel.ptv70], let dose = facts.dose, !ptv70.isEmpty else { return nil }
        let normalization = facts.prescription.normalizationDoseGy
        var readings = [("as consumers read it (× 70 Gy)", Prescription.consumerScaleGy, ChartPalette.vermillion)]
        if let normalization { readings.append(("as recorded (× \(MarkupNumber.format(normalization)) Gy)", normalization, ChartPalette.blue)) }
        var series: [LineChart.Series] = [], markers: [LineChart.Marker] = [], data: [(String, String)] = []
        for (label, scaleGy, colour) in readings {
            let inside = ptv70.withMask { mask in (0..<min(mask.count, dose.count)).compactMap { mask[$0] != 0 ? dose[$0] * Float(scaleGy) : nil } }
            series.append(LineChart.Series(name: "PTV70 " + label, points: EvidenceHistogram.points(ValueHistogram(inside, range: 0...90, bins: 180)),
                                           colour: colour))
            if let median = Percentile.lower(sortedValues: inside.map(Double.init).sorted(), percent: 50) {
                markers.append(LineChart.Marker(x: median, y: 0, label: "median \(ChartMarks.decimal(median, 1)) Gy", colour: colour))
                data.append(("data-median-gy-\(scaleGy == Prescription.consumerScaleGy ? "consumers" : "recorded")", ChartMarks.exact(median)))
            }
        }
        let chart = LineChart(
            title: "PTV70 dose, by the normalisation it is read with", xLabel: "Dose (Gy)", yLabel: "Voxels per 0.5 Gy (%)", series: series,
            markers: markers, xRange: 0...90, size: ChartSize(width: 720, height: 400),
            verticalLines: [LineChart.VerticalLine(x: 70, label: "70 Gy")],
            shadedRanges: [LineChart.ShadedRange(expectedGy, label: "95–107 % of 70 Gy")])
        let recorded = normalization.map { "normalization_dose_gy \(MarkupNumber.format($0)) Gy, so consumers read \(ChartMarks.decimal(Prescription.consumerScaleGy / $0, 3))× the true dose" }
            ?? "no normalization_dose_gy recorded: consumers assume 70 Gy"
        return EvidenceDrawing(
            title: "\(finding.check): the dose as consumers read it",
            caption: "Histogram of PTV70's dose multiplied by 70 Gy, as every consumer reads it, and by the case's own normalisation; 70 Gy marked, 95–107 % of it shaded. \(recorded).",
            image: nil, charts: [chart], data: data)
    }
}

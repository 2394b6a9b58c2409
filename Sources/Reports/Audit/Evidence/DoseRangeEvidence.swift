import Audit

/// `dose.range`: the stored dose's histogram with the allowed range [−0.01, 1.5) shaded and the
/// minimum and maximum the check compared (the value summary of the audit's pass) marked.
enum DoseRangeEvidence {
    static let check = DoseRangeCheck.id

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        guard let dose = context.facts.dose, let values = context.facts.arrays["dose"]?.values,
              let low = values.minimum, let high = values.maximum else { return nil }
        let limits = context.thresholds(DoseRangeCheck().definition)
        let allowed = limits["minimumAllowed"]...max(limits["minimumAllowed"], limits["maximumBelow"])
        let span = ChartTicks(covering: min(low, allowed.lowerBound) - 0.05, max(high, allowed.upperBound) + 0.05)
        let histogram = ValueHistogram(dose, range: span.lower...span.upper, bins: 200)
        let chart = LineChart(
            title: "Stored dose values", xLabel: "Stored dose (Gy / normalisation)", yLabel: "Voxels per bin (%)",
            series: [LineChart.Series(name: "dose", points: EvidenceHistogram.points(histogram), colour: ChartPalette.blue)],
            xRange: span.lower...span.upper, size: ChartSize(width: 720, height: 400),
            verticalLines: [LineChart.VerticalLine(x: low, label: "minimum \(ChartMarks.decimal(low, 3))", colour: ChartPalette.vermillion),
                            LineChart.VerticalLine(x: high, label: "maximum \(ChartMarks.decimal(high, 3))", colour: ChartPalette.vermillion)],
            shadedRanges: [LineChart.ShadedRange(allowed, label: "allowed \(MarkupNumber.format(allowed.lowerBound))…\(MarkupNumber.format(allowed.upperBound))")])
        return EvidenceDrawing(
            title: "\(finding.check): stored dose against the allowed range",
            caption: "Histogram of every finite dose voxel as stored (Gy divided by the normalisation), allowed range shaded: never below \(MarkupNumber.format(allowed.lowerBound)) (rounding) and below \(MarkupNumber.format(allowed.upperBound)) (\(MarkupNumber.format(allowed.upperBound * 70)) Gy once multiplied by 70). Minimum \(ChartMarks.decimal(low, 3)), maximum \(ChartMarks.decimal(high, 3)).",
            image: nil, charts: [chart], data: [("data-minimum", ChartMarks.exact(low)), ("data-maximum", ChartMarks.exact(high))])
    }
}

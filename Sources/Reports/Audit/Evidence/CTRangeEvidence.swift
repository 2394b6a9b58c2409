import Audit

/// `ct.range`: the CT's histogram (`CTRangeCheck.histogram`, the check's own) with the expected
/// range [0.25, 1.25] shaded and the air level and median the check read from it marked, beside
/// where air sits as HU (0.25) and as raw stored pixels (0.506).
enum CTRangeEvidence {
    static let check = CTRangeCheck.id
    /// −1000 HU in stored units (spec, "Keys"): where air belongs.
    static let airInHU = 0.25

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        guard let ct = context.facts.ct else { return nil }
        let limits = context.thresholds(CTRangeCheck().definition)
        let histogram = CTRangeCheck.histogram(ct)
        let air = histogram.percentile(CTRangeCheck.airPercentile), median = histogram.percentile(50)
        let chart = LineChart(
            title: "CT values", xLabel: "Stored CT value (HU / 4000 + 0.5)", yLabel: "Voxels per 0.01 (%)",
            series: [LineChart.Series(name: "CT", points: EvidenceHistogram.points(histogram, merging: 10), colour: ChartPalette.blue)],
            xRange: 0...2, size: ChartSize(width: 720, height: 400),
            verticalLines: [LineChart.VerticalLine(x: air, label: "air level \(ChartMarks.decimal(air, 3))", colour: ChartPalette.vermillion),
                            LineChart.VerticalLine(x: Self.airInHU, label: "air as HU \(MarkupNumber.format(Self.airInHU))", colour: ChartPalette.bluishGreen),
                            LineChart.VerticalLine(x: median, label: "median \(ChartMarks.decimal(median, 3))", colour: ChartPalette.black),
                            LineChart.VerticalLine(x: limits["rawPixelAir"], label: "raw-pixel air \(MarkupNumber.format(limits["rawPixelAir"], decimals: 3))",
                                                   colour: ChartPalette.reddishPurple)],
            shadedRanges: [LineChart.ShadedRange(limits["expectedLow"]...max(limits["expectedLow"], limits["expectedHigh"]),
                                                 label: "expected \(MarkupNumber.format(limits["expectedLow"]))–\(MarkupNumber.format(limits["expectedHigh"]))")])
        return EvidenceDrawing(
            title: "\(finding.check): CT values against the expected range",
            caption: "Histogram of every CT voxel in stored units (HU / 4000 + 0.5), expected range shaded. Air belongs at 0.25 (−1000 HU) and soft tissue near 0.5; air near 0.506 with soft tissue near 0.756 means raw stored pixels, never rescaled to HU. Air level (1st percentile) \(ChartMarks.decimal(air, 3)), median \(ChartMarks.decimal(median, 3)).",
            image: nil, charts: [chart], data: [("data-air-level", ChartMarks.exact(air)), ("data-median", ChartMarks.exact(median))])
    }
}

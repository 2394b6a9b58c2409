/// Bars per category, one per series side by side: gamma pass rates per case (global beside
/// PTV region) with a 95 % reference line, femur MAE left beside right, or left − right around a
/// zero line (a series' `negativeColour` makes it diverging).
///
/// Data in the SVG, every number as Swift's shortest round-trip text:
/// - each bar is a `rect class="bar"` with `data-category`, `data-series`, `data-value`; a nil or
///   non-finite value has no bar at all;
/// - each reference line is a `line class="reference"` with `data-value` and `data-label`.
public struct BarChart: ChartFigure {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// One per category, in the same order; missing or nil values draw no bar.
        public var values: [Double?]
        public var colour: String
        /// Bars below zero in this colour instead (a diverging chart: which side is larger).
        public var negativeColour: String?

        public init(name: String, values: [Double?], colour: String, negativeColour: String? = nil) {
            self.name = name
            self.values = values
            self.colour = colour
            self.negativeColour = negativeColour
        }
    }

    /// A horizontal line at `value` (the 95 % pass-rate criterion), labelled at its right end.
    public struct ReferenceLine: Sendable, Equatable {
        public var value: Double
        public var label: String

        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    public var title: String
    public var categories: [String]
    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    /// Fixed axis ends (0–100 %); nil fits the data and zero with round ticks.
    public var yRange: ClosedRange<Double>?
    public var referenceLines: [ReferenceLine]
    /// nil: one swatch per series when there are several.
    public var legend: ChartLegend?
    public var size: ChartSize

    public init(
        title: String, categories: [String], series: [Series], xLabel: String, yLabel: String,
        yRange: ClosedRange<Double>? = nil, referenceLines: [ReferenceLine] = [], legend: ChartLegend? = nil,
        size: ChartSize = .panel
    ) {
        self.title = title
        self.categories = categories
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.yRange = yRange
        self.referenceLines = referenceLines
        self.legend = legend
        self.size = size
    }

    private func value(_ series: Series, _ category: Int) -> Double? {
        category < series.values.count ? ChartMarks.drawable(series.values[category]) : nil
    }

    private var yTicks: ChartTicks {
        if let yRange { return ChartTicks(from: yRange.lowerBound, to: yRange.upperBound) }
        // Bars stand on zero, so zero is always on the axis.
        let bars: [Double] = series.flatMap { series in categories.indices.compactMap { value(series, $0) } }
        let values = bars + referenceLines.map(\.value).filter(\.isFinite) + [0]
        return ChartTicks(covering: values.min() ?? 0, values.max() ?? 1)
    }

    private var effectiveLegend: ChartLegend? {
        if let legend { return legend }
        guard series.count > 1 else { return nil }
        return ChartLegend(series.map { ChartLegend.Entry($0.name, colour: $0.colour, symbol: .swatch) })
    }

    public func svg() -> MarkupElement {
        // Reference labels sit right of the plot, where no bar can hide them.
        let right = 16 + (referenceLines.map { ChartMarks.textWidth($0.label) + 6 }.max() ?? 0)
        let frame = ChartFrame(
            size: size, title: title, legend: effectiveLegend, yLabel: yLabel, yTicks: yTicks, right: right
        ) { start, end in
            ChartCategoryAxis(label: xLabel, categories: categories, start: start, end: end)
        }
        let zero = frame.y.clampedPosition(0)
        // A fifth of each band stays empty so neighbouring cases read as separate groups.
        let barWidth = frame.x.bandWidth * 0.8 / Double(max(1, series.count))
        var marks: [MarkupElement] = []
        for category in categories.indices {
            let groupStart = frame.x.center(category) - barWidth * Double(series.count) / 2
            for (index, series) in series.enumerated() {
                guard let value = value(series, category) else { continue }
                let top = frame.y.clampedPosition(value)
                let colour = value < 0 ? (series.negativeColour ?? series.colour) : series.colour
                let rect = ChartRect(
                    x: groupStart + Double(index) * barWidth, y: min(top, zero), width: barWidth,
                    height: abs(zero - top))
                marks.append(
                    ChartMarks.rect(
                        rect, fill: colour,
                        extra: [
                            ("class", "bar"), ("data-category", categories[category]), ("data-series", series.name),
                            ("data-value", ChartMarks.exact(value)),
                        ],
                        children: [
                            ChartMarks.tooltip("\(categories[category]) · \(series.name): \(ChartMarks.exact(value))")
                        ]))
            }
        }
        // Drawn over the bars: the zero line for a diverging chart, the criterion for pass rates.
        if frame.y.ticks.lower < 0 {
            marks.append(
                ChartMarks.line(
                    frame.plot.x, zero, frame.plot.maxX, zero, stroke: ChartPalette.text, width: 1.5,
                    extra: [("class", "zero")]))
        }
        for line in referenceLines where line.value.isFinite {
            let y = frame.y.clampedPosition(line.value)
            marks.append(
                MarkupElement(
                    "g", [],
                    [
                        ChartMarks.line(
                            frame.plot.x, y, frame.plot.maxX, y, stroke: ChartPalette.text, width: 1.5, dashed: true,
                            extra: [
                                ("class", "reference"), ("data-value", ChartMarks.exact(line.value)),
                                ("data-label", line.label),
                            ]),
                        ChartMarks.text(line.label, x: frame.plot.maxX + 4, y: y + 4, bold: true),
                    ]))
        }
        return frame.svg(marks: marks)
    }
}

/// How two runs differ, one row per metric: the mean difference B − A as a square, its 95 %
/// bootstrap interval as a line, a vertical zero line (no difference), each row's unit in its label
/// and the estimate with its interval written at the right.
///
/// Data in the SVG: each row is a `g class="row"` with `data-metric`, `data-unit` and, when known,
/// `data-estimate`, `data-low`, `data-high` (Swift's shortest round-trip text). A nil estimate draws
/// no square and writes "not available"; a nil bound draws no interval.
public struct ForestPlot: ChartFigure {
    public struct Row: Sendable, Equatable {
        public var metric: String
        public var unit: String
        public var estimate: Double?
        public var low: Double?
        public var high: Double?
        /// Decimals in the written estimate and interval.
        public var decimals: Int

        public init(metric: String, unit: String, estimate: Double?, low: Double?, high: Double?, decimals: Int = 2) {
            self.metric = metric
            self.unit = unit
            self.estimate = estimate
            self.low = low
            self.high = high
            self.decimals = decimals
        }

        /// "MAE (Gy)": the unit belongs to the row, as rows in different units share one axis.
        public var label: String { unit.isEmpty ? metric : "\(metric) (\(unit))" }

        var interval: (low: Double, high: Double)? {
            guard let low = ChartMarks.drawable(low), let high = ChartMarks.drawable(high) else { return nil }
            return (min(low, high), max(low, high))
        }

        var summary: String {
            guard let estimate = ChartMarks.drawable(estimate) else { return "not available" }
            let text = ChartMarks.decimal(estimate, decimals)
            guard let interval else { return text }
            let (low, high) = (ChartMarks.decimal(interval.low, decimals), ChartMarks.decimal(interval.high, decimals))
            return "\(text) [\(low), \(high)]"
        }
    }

    public var title: String
    public var xLabel: String
    public var rows: [Row]
    public var size: ChartSize

    private static let rowHeight = 26.0
    private static let summaryHeading = "B − A [95 % CI]"

    /// `size` nil: 640 px wide, 26 px per row.
    public init(
        title: String, xLabel: String = "Mean difference B − A (row units)", rows: [Row], size: ChartSize? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.rows = rows
        let header = ChartHeader(title: title, legend: nil, width: 640)
        self.size =
            size
            ?? ChartSize(
                width: 640,
                height: header.height + 18 + Double(rows.count) * ForestPlot.rowHeight + ChartAxis.horizontalDepth + 10)
    }

    private var xTicks: ChartTicks {
        let drawn: [Double] = rows.flatMap { row in
            [ChartMarks.drawable(row.estimate), row.interval?.low, row.interval?.high].compactMap { $0 }
        }
        let values = drawn + [0]
        return ChartTicks(covering: values.min() ?? -1, values.max() ?? 1)
    }

    public func svg() -> MarkupElement {
        let header = ChartHeader(title: title, legend: nil, width: size.width)
        let left = (rows.map { ChartMarks.textWidth($0.label) }.max() ?? 0) + 20
        let right =
            max(
                rows.map { ChartMarks.textWidth($0.summary) }.max() ?? 0,
                ChartMarks.textWidth(ForestPlot.summaryHeading)) + 20
        let top = header.height + 18
        let plot = ChartRect(
            x: left, y: top, width: max(1, size.width - left - right),
            height: max(1, size.height - top - ChartAxis.horizontalDepth - 10))
        let axis = ChartAxis(label: xLabel, ticks: xTicks, orientation: .horizontal, start: plot.x, end: plot.maxX)
        let rowHeight = plot.height / Double(max(1, rows.count))
        // Every other row shaded, under the grid, so the eye follows a row from its label to its numbers.
        var marks = rows.indices.filter { $0 % 2 == 1 }.map { index in
            ChartMarks.rect(
                ChartRect(x: 4, y: plot.y + Double(index) * rowHeight, width: size.width - 8, height: rowHeight),
                fill: "#F4F4F4")
        }
        marks += [
            axis.element(plot: plot),
            ChartMarks.text(ForestPlot.summaryHeading, x: plot.maxX + 12, y: top - 6, bold: true),
        ]
        let zero = axis.clampedPosition(0)
        marks.append(
            ChartMarks.line(
                zero, plot.y, zero, plot.maxY, stroke: ChartPalette.text, width: 1.5, extra: [("class", "zero")]))
        for (index, row) in rows.enumerated() {
            let y = plot.y + (Double(index) + 0.5) * rowHeight
            var data = [("class", "row"), ("data-metric", row.metric), ("data-unit", row.unit)]
            var group = [ChartMarks.text(row.label, x: plot.x - 10, y: y + 4, anchor: "end")]
            if let interval = row.interval {
                data += [("data-low", ChartMarks.exact(interval.low)), ("data-high", ChartMarks.exact(interval.high))]
                let (from, to) = (axis.clampedPosition(interval.low), axis.clampedPosition(interval.high))
                group += [
                    ChartMarks.line(
                        from, y, to, y, stroke: ChartPalette.text, width: 2, extra: [("class", "interval")]),
                    ChartMarks.line(from, y - 5, from, y + 5, stroke: ChartPalette.text, width: 1.5),
                    ChartMarks.line(to, y - 5, to, y + 5, stroke: ChartPalette.text, width: 1.5),
                ]
            }
            if let estimate = ChartMarks.drawable(row.estimate) {
                data.append(("data-estimate", ChartMarks.exact(estimate)))
                let x = axis.clampedPosition(estimate)
                group.append(
                    ChartMarks.rect(
                        ChartRect(x: x - 5, y: y - 5, width: 10, height: 10), fill: ChartPalette.blue,
                        extra: [("class", "estimate")]))
            }
            group.append(ChartMarks.text(row.summary, x: plot.maxX + 12, y: y + 4))
            group.append(ChartMarks.tooltip("\(row.label): \(row.summary)"))
            marks.append(MarkupElement("g", data, group))
        }
        return ChartMarks.root(size, title: title, header.elements + marks)
    }
}

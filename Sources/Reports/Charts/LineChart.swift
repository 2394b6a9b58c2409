/// Lines over a value axis: training and validation loss per epoch, validation MAE with the best
/// epoch marked, cumulative DVHs (reference solid, prediction dashed).
///
/// Data in the SVG, every number as Swift's shortest round-trip text:
/// - each unbroken run of a series is a `polyline` with `data-series` (the series name) and
///   `data-x` / `data-y` (its points' values, space-separated); a nil or non-finite `y` breaks the
///   line and appears nowhere; a lone point between gaps is a `circle` with the same attributes;
/// - each marker is a `g class="marker"` with `data-x`, `data-y`, `data-label`;
/// - each vertical line is a `line class="vertical"` with `data-x`, `data-label`;
/// - each shaded range is a `rect class="shaded-range"` with `data-low`, `data-high`, `data-label`.
public struct LineChart: ChartFigure {
    public struct Point: Sendable, Equatable {
        public var x: Double
        /// nil: not measured (an epoch without validation); drawn as a gap.
        public var y: Double?

        public init(x: Double, y: Double?) {
            self.x = x
            self.y = y
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        public var colour: String
        public var dashed: Bool

        public init(name: String, points: [Point], colour: String, dashed: Bool = false) {
            self.name = name
            self.points = points
            self.colour = colour
            self.dashed = dashed
        }
    }

    /// A labelled point, e.g. the best epoch: a dot, a dashed drop to the x axis and its label.
    public struct Marker: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public var label: String
        public var colour: String

        public init(x: Double, y: Double, label: String, colour: String = ChartPalette.black) {
            self.x = x
            self.y = y
            self.label = label
            self.colour = colour
        }
    }

    /// A vertical line at `x` across the plot (a threshold dose, a prescription level), labelled
    /// at its top.
    public struct VerticalLine: Sendable, Equatable {
        public var x: Double
        public var label: String
        public var colour: String

        public init(x: Double, label: String, colour: String = ChartPalette.text) {
            self.x = x
            self.label = label
            self.colour = colour
        }
    }

    /// A band of x values shaded behind the data (the range a check expects), labelled at its top.
    public struct ShadedRange: Sendable, Equatable {
        public var range: ClosedRange<Double>
        public var label: String
        public var colour: String

        public init(_ range: ClosedRange<Double>, label: String, colour: String = ChartPalette.bluishGreen) {
            self.range = range
            self.label = label
            self.colour = colour
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var markers: [Marker]
    public var verticalLines: [VerticalLine]
    public var shadedRanges: [ShadedRange]
    /// Fixed axis ends (volume 0–100 %); nil fits the data with round ticks.
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// nil: one entry per series when there are several (a DVH passes structures and line styles instead).
    public var legend: ChartLegend?
    public var size: ChartSize

    public init(
        title: String, xLabel: String, yLabel: String, series: [Series], markers: [Marker] = [],
        xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil, legend: ChartLegend? = nil,
        size: ChartSize = .panel, verticalLines: [VerticalLine] = [], shadedRanges: [ShadedRange] = []
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.markers = markers
        self.verticalLines = verticalLines
        self.shadedRanges = shadedRanges
        self.xRange = xRange
        self.yRange = yRange
        self.legend = legend
        self.size = size
    }

    private var drawnPoints: [(x: Double, y: Double)] {
        series.flatMap { series in
            series.points.compactMap { point in
                guard point.x.isFinite, let y = ChartMarks.drawable(point.y) else { return nil }
                return (point.x, y)
            }
        } + markers.filter { $0.x.isFinite && $0.y.isFinite }.map { ($0.x, $0.y) }
    }

    private static func ticks(_ range: ClosedRange<Double>?, _ values: [Double]) -> ChartTicks {
        if let range { return ChartTicks(from: range.lowerBound, to: range.upperBound) }
        return ChartTicks(covering: values.min() ?? 0, values.max() ?? 1)
    }

    private var effectiveLegend: ChartLegend? {
        if let legend { return legend }
        guard series.count > 1 else { return nil }
        var entries: [ChartLegend.Entry] = []
        for series in series {
            let entry = ChartLegend.Entry(series.name, colour: series.colour, symbol: .line(dashed: series.dashed))
            if !entries.contains(entry) { entries.append(entry) }
        }
        return ChartLegend(entries)
    }

    /// The x values the vertical lines and shaded ranges need on the axis.
    private var guideXs: [Double] {
        (verticalLines.map(\.x) + shadedRanges.flatMap { [$0.range.lowerBound, $0.range.upperBound] }).filter(\.isFinite)
    }

    public func svg() -> MarkupElement {
        let points = drawnPoints
        let xTicks = LineChart.ticks(xRange, points.map(\.x) + guideXs)
        let frame = ChartFrame(
            size: size, title: title, legend: effectiveLegend, yLabel: yLabel,
            yTicks: LineChart.ticks(yRange, points.map(\.y))
        ) { start, end in
            ChartAxis(label: xLabel, ticks: xTicks, orientation: .horizontal, start: start, end: end)
        }
        return frame.svg(marks: shadedRanges.compactMap { shaded($0, frame) } + series.flatMap { lines($0, frame) }
            + verticalLines.enumerated().compactMap { vertical($1, row: $0, frame) } + markers.compactMap { marker($0, frame) })
    }

    /// Under the data, tinted so the lines stay legible; its label inside the band's top.
    private func shaded(_ shaded: ShadedRange, _ frame: ChartFrame<ChartAxis>) -> MarkupElement? {
        guard shaded.range.lowerBound.isFinite, shaded.range.upperBound.isFinite else { return nil }
        let (left, right) = (frame.x.clampedPosition(shaded.range.lowerBound), frame.x.clampedPosition(shaded.range.upperBound))
        return MarkupElement("g", [], [
            ChartMarks.rect(ChartRect(x: left, y: frame.plot.y, width: right - left, height: frame.plot.height),
                            fill: ChartPalette.tint(shaded.colour, 0.2),
                            extra: [("class", "shaded-range"), ("data-low", ChartMarks.exact(shaded.range.lowerBound)),
                                    ("data-high", ChartMarks.exact(shaded.range.upperBound)), ("data-label", shaded.label)],
                            children: [ChartMarks.tooltip(shaded.label)]),
            ChartMarks.text(shaded.label, x: left + 4, y: frame.plot.y + 12, fill: shaded.colour, halo: true),
        ])
    }

    /// Over the data, dashed; its label at the top, away from the nearer side edge, one text row
    /// lower per line (three rows) so close levels (56 and 50.4 Gy) do not print over each other.
    private func vertical(_ line: VerticalLine, row: Int, _ frame: ChartFrame<ChartAxis>) -> MarkupElement? {
        guard line.x.isFinite else { return nil }
        let x = frame.x.clampedPosition(line.x)
        let leftward = x > frame.plot.midX
        return MarkupElement("g", [], [
            ChartMarks.line(x, frame.plot.y, x, frame.plot.maxY, stroke: line.colour, width: 1.5, dashed: true,
                            extra: [("class", "vertical"), ("data-x", ChartMarks.exact(line.x)), ("data-label", line.label)]),
            ChartMarks.text(line.label, x: leftward ? x - 4 : x + 4, y: frame.plot.y + 26 + 13 * Double(row % 3), anchor: leftward ? "end" : "start",
                            bold: true, fill: line.colour, halo: true),
        ])
    }

    /// The series split at its gaps, each run a polyline (or a dot if it is one point long).
    private func lines(_ series: Series, _ frame: ChartFrame<ChartAxis>) -> [MarkupElement] {
        var runs: [[(x: Double, y: Double)]] = [[]]
        for point in series.points {
            if point.x.isFinite, let y = ChartMarks.drawable(point.y) {
                runs[runs.count - 1].append((point.x, y))
            } else if !(runs.last?.isEmpty ?? true) {
                runs.append([])
            }
        }
        return runs.filter { !$0.isEmpty }.map { run in
            let data = [
                ("data-series", series.name), ("data-x", ChartMarks.exact(run.map(\.x))),
                ("data-y", ChartMarks.exact(run.map(\.y))),
            ]
            let drawn = run.map { (frame.x.clampedPosition($0.x), frame.y.clampedPosition($0.y)) }
            if drawn.count == 1 {
                return MarkupElement(
                    "circle",
                    [
                        ("cx", ChartMarks.px(drawn[0].0)), ("cy", ChartMarks.px(drawn[0].1)), ("r", "2.5"),
                        ("fill", series.colour),
                    ] + data,
                    [ChartMarks.tooltip(series.name)])
            }
            var attributes = [
                ("points", drawn.map { "\(ChartMarks.px($0.0)),\(ChartMarks.px($0.1))" }.joined(separator: " ")),
                ("fill", "none"), ("stroke", series.colour), ("stroke-width", "2"), ("stroke-linejoin", "round"),
            ]
            if series.dashed { attributes.append(("stroke-dasharray", "6 4")) }
            return MarkupElement("polyline", attributes + data, [ChartMarks.tooltip(series.name)])
        }
    }

    private func marker(_ marker: Marker, _ frame: ChartFrame<ChartAxis>) -> MarkupElement? {
        guard marker.x.isFinite, marker.y.isFinite else { return nil }
        let (x, y) = (frame.x.clampedPosition(marker.x), frame.y.clampedPosition(marker.y))
        // The label reads away from the nearer side edge, so it is not clipped.
        let leftward = x > frame.plot.midX
        let labelY = max(frame.plot.y + 12, y - 10)
        return MarkupElement(
            "g",
            [
                ("class", "marker"), ("data-x", ChartMarks.exact(marker.x)), ("data-y", ChartMarks.exact(marker.y)),
                ("data-label", marker.label),
            ],
            [
                ChartMarks.line(x, y, x, frame.plot.maxY, stroke: marker.colour, width: 1, dashed: true),
                MarkupElement(
                    "circle",
                    [
                        ("cx", ChartMarks.px(x)), ("cy", ChartMarks.px(y)), ("r", "5"), ("fill", "none"),
                        ("stroke", marker.colour), ("stroke-width", "2"),
                    ]),
                ChartMarks.text(
                    marker.label, x: leftward ? x - 8 : x + 8, y: labelY, anchor: leftward ? "end" : "start",
                    bold: true, fill: marker.colour, halo: true),
            ])
    }
}

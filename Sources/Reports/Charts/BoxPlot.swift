import Support

/// Box plots with every point shown: one box per group (a metric per model, per split, per fold),
/// the points spread sideways by a seeded jitter so the same data always gives the same picture.
/// Several metrics with their own units go in separate `BoxPlot`s side by side in `ChartPanels`.
///
/// Data in the SVG, every number as Swift's shortest round-trip text:
/// - each box is a `g class="box"` with `data-group`, `data-count`, `data-lower-whisker`,
///   `data-lower-quartile`, `data-median`, `data-upper-quartile`, `data-upper-whisker`
///   (see `BoxPlotSummary`); a group with no values has no box;
/// - each point is a `circle class="point"` with `data-group`, `data-label` (the case id) and
///   `data-value`; nil and non-finite values are not drawn and not counted.
public struct BoxPlot: ChartFigure {
    public struct Point: Sendable, Equatable {
        public var label: String
        public var value: Double?

        public init(label: String, value: Double?) {
            self.label = label
            self.value = value
        }
    }

    public struct Group: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        public var colour: String

        public init(name: String, points: [Point], colour: String = ChartPalette.blue) {
            self.name = name
            self.points = points
            self.colour = colour
        }
    }

    public var title: String
    public var yLabel: String
    public var groups: [Group]
    public var xLabel: String
    public var yRange: ClosedRange<Double>?
    public var jitterSeed: UInt64
    public var size: ChartSize

    /// `size` nil: 400 px high, 120 px per group plus the axis, so four one-box panels fit in about 1000 px.
    public init(
        title: String, yLabel: String, groups: [Group], xLabel: String = "", yRange: ClosedRange<Double>? = nil,
        jitterSeed: UInt64 = 1, size: ChartSize? = nil
    ) {
        self.title = title
        self.yLabel = yLabel
        self.groups = groups
        self.xLabel = xLabel
        self.yRange = yRange
        self.jitterSeed = jitterSeed
        self.size = size ?? ChartSize(width: max(220, 100 + 120 * Double(groups.count)), height: 400)
    }

    private static func drawn(_ group: Group) -> [(label: String, value: Double)] {
        group.points.compactMap { point in ChartMarks.drawable(point.value).map { (point.label, $0) } }
    }

    public func svg() -> MarkupElement {
        let values = groups.flatMap { BoxPlot.drawn($0).map(\.value) }
        let yTicks =
            yRange.map { ChartTicks(from: $0.lowerBound, to: $0.upperBound) }
            ?? ChartTicks(covering: values.min() ?? 0, values.max() ?? 1)
        let names = groups.map { "\($0.name) (n = \(BoxPlot.drawn($0).count))" }
        let frame = ChartFrame(size: size, title: title, legend: nil, yLabel: yLabel, yTicks: yTicks) { start, end in
            ChartCategoryAxis(label: xLabel, categories: names, start: start, end: end)
        }
        var marks: [MarkupElement] = []
        for (index, group) in groups.enumerated() {
            let points = BoxPlot.drawn(group)
            let center = frame.x.center(index)
            let boxWidth = min(60, frame.x.bandWidth * 0.5)
            if let summary = BoxPlotSummary(points.map(\.value)) {
                marks.append(box(summary, group: group, center: center, width: boxWidth, axis: frame.y))
            }
            // Each group its own stream: adding a group leaves the others' points where they were.
            var generator = SeededGenerator(seed: jitterSeed, stream: UInt64(index))
            for point in points {
                let x = center + generator.nextUniform(-0.5, 0.5) * boxWidth * 0.8
                marks.append(
                    MarkupElement(
                        "circle",
                        [
                            ("class", "point"), ("cx", ChartMarks.px(x)),
                            ("cy", ChartMarks.px(frame.y.clampedPosition(point.value))), ("r", "3"),
                            ("fill", group.colour), ("fill-opacity", "0.55"), ("stroke", group.colour),
                            ("stroke-width", "0.8"),
                            ("data-group", group.name), ("data-label", point.label),
                            ("data-value", ChartMarks.exact(point.value)),
                        ], [ChartMarks.tooltip("\(point.label): \(ChartMarks.exact(point.value))")]))
            }
        }
        return frame.svg(marks: marks)
    }

    private func box(_ summary: BoxPlotSummary, group: Group, center: Double, width: Double, axis: ChartAxis)
        -> MarkupElement
    {
        let (low, q1, median, q3, high) = (
            axis.clampedPosition(summary.lowerWhisker), axis.clampedPosition(summary.lowerQuartile),
            axis.clampedPosition(summary.median),
            axis.clampedPosition(summary.upperQuartile), axis.clampedPosition(summary.upperWhisker)
        )
        let (left, right) = (center - width / 2, center + width / 2)
        return MarkupElement(
            "g",
            [
                ("class", "box"), ("data-group", group.name), ("data-count", String(summary.count)),
                ("data-lower-whisker", ChartMarks.exact(summary.lowerWhisker)),
                ("data-lower-quartile", ChartMarks.exact(summary.lowerQuartile)),
                ("data-median", ChartMarks.exact(summary.median)),
                ("data-upper-quartile", ChartMarks.exact(summary.upperQuartile)),
                ("data-upper-whisker", ChartMarks.exact(summary.upperWhisker)),
            ],
            [
                ChartMarks.line(center, q3, center, high, stroke: ChartPalette.text),
                ChartMarks.line(center, q1, center, low, stroke: ChartPalette.text),
                ChartMarks.line(center - width / 4, high, center + width / 4, high, stroke: ChartPalette.text),
                ChartMarks.line(center - width / 4, low, center + width / 4, low, stroke: ChartPalette.text),
                ChartMarks.rect(
                    ChartRect(x: left, y: q3, width: width, height: q1 - q3),
                    fill: ChartPalette.tint(group.colour, 0.2),
                    extra: [("stroke", ChartPalette.text), ("stroke-width", "1")]),
                ChartMarks.line(left, median, right, median, stroke: ChartPalette.text, width: 2.5),
            ])
    }
}

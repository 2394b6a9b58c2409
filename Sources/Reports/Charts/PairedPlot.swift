/// Two runs on the same cases, one metric: each case's value under A and under B joined by a line,
/// so a reader sees whether most cases moved the same way, not only the means. One panel per
/// metric; put several side by side with `ChartPanels`.
///
/// Data in the SVG: each case is a `g class="pair"` with `data-label` (the case id) and `data-a`,
/// `data-b` (Swift's shortest round-trip text, absent when nil); inside, each drawn value is a
/// `circle` with `data-condition` (`a` or `b`) and `data-value`. The joining line is drawn only
/// when both values exist.
public struct PairedPlot: ChartFigure {
    public struct Pair: Sendable, Equatable {
        public var label: String
        public var a: Double?
        public var b: Double?

        public init(label: String, a: Double?, b: Double?) {
            self.label = label
            self.a = a
            self.b = b
        }
    }

    public var title: String
    public var yLabel: String
    /// What A and B are called on the x axis (run ids, model names).
    public var nameA: String
    public var nameB: String
    public var pairs: [Pair]
    public var yRange: ClosedRange<Double>?
    public var size: ChartSize

    public init(
        title: String, yLabel: String, nameA: String, nameB: String, pairs: [Pair], yRange: ClosedRange<Double>? = nil,
        size: ChartSize = ChartSize(width: 320, height: 400)
    ) {
        self.title = title
        self.yLabel = yLabel
        self.nameA = nameA
        self.nameB = nameB
        self.pairs = pairs
        self.yRange = yRange
        self.size = size
    }

    public func svg() -> MarkupElement {
        let values = pairs.flatMap { [ChartMarks.drawable($0.a), ChartMarks.drawable($0.b)].compactMap { $0 } }
        let yTicks =
            yRange.map { ChartTicks(from: $0.lowerBound, to: $0.upperBound) }
            ?? ChartTicks(covering: values.min() ?? 0, values.max() ?? 1)
        let frame = ChartFrame(size: size, title: title, legend: nil, yLabel: yLabel, yTicks: yTicks) { start, end in
            ChartCategoryAxis(label: "", categories: [nameA, nameB], start: start, end: end)
        }
        let (xA, xB) = (frame.x.center(0), frame.x.center(1))
        let marks = pairs.map { pair in
            let a = ChartMarks.drawable(pair.a)
            let b = ChartMarks.drawable(pair.b)
            var data = [("class", "pair"), ("data-label", pair.label)]
            var children: [MarkupElement] = []
            if let a, let b {
                children.append(
                    ChartMarks.line(
                        xA, frame.y.clampedPosition(a), xB, frame.y.clampedPosition(b), stroke: "#999999",
                        extra: [("stroke-opacity", "0.8")]))
            }
            for (condition, value, x, colour) in [
                ("a", a, xA, ChartPalette.blue), ("b", b, xB, ChartPalette.vermillion),
            ] {
                guard let value else { continue }
                data.append(("data-\(condition)", ChartMarks.exact(value)))
                children.append(
                    MarkupElement(
                        "circle",
                        [
                            ("cx", ChartMarks.px(x)), ("cy", ChartMarks.px(frame.y.clampedPosition(value))),
                            ("r", "3.5"), ("fill", colour),
                            ("data-condition", condition), ("data-value", ChartMarks.exact(value)),
                        ]))
            }
            let text = { (value: Double?) in value.map(ChartMarks.exact) ?? "none" }
            children.append(ChartMarks.tooltip("\(pair.label): \(nameA) \(text(a)), \(nameB) \(text(b))"))
            return MarkupElement("g", data, children)
        }
        return frame.svg(marks: marks)
    }
}

/// The axis along the bottom of a plot: values (`ChartAxis`) or categories (`ChartCategoryAxis`).
protocol ChartHorizontalAxis: Sendable {
    /// The room it needs below the plot.
    var depth: Double { get }
    func element(plot: ChartRect) -> MarkupElement
}

extension ChartAxis: ChartHorizontalAxis {
    var depth: Double { ChartAxis.horizontalDepth }
}

extension ChartCategoryAxis: ChartHorizontalAxis {}

/// The layout one-panel charts share: header, a value axis on the left, an axis along the bottom,
/// and the plot between them. The bottom axis is made once the plot's width is known, because
/// category labels turn according to how wide their bands are.
struct ChartFrame<Horizontal: ChartHorizontalAxis> {
    let size: ChartSize
    let header: ChartHeader
    let plot: ChartRect
    let y: ChartAxis
    let x: Horizontal

    init(
        size: ChartSize, title: String, legend: ChartLegend?, yLabel: String, yTicks: ChartTicks, right: Double = 16,
        x makeX: (_ start: Double, _ end: Double) -> Horizontal
    ) {
        self.size = size
        header = ChartHeader(title: title, legend: legend, width: size.width)
        let left = 8 + ChartAxis.verticalDepth(yTicks)
        let x = makeX(left, max(left + 1, size.width - right))
        let top = header.height
        let bottom = max(top + 1, size.height - x.depth - 6)
        plot = ChartRect(x: left, y: top, width: max(1, size.width - right - left), height: bottom - top)
        y = ChartAxis(label: yLabel, ticks: yTicks, orientation: .vertical, start: plot.maxY, end: plot.y)
        self.x = x
    }

    /// The figure: header, axes (grid first, under the marks), then `marks`.
    func svg(marks: [MarkupElement]) -> MarkupElement {
        ChartMarks.root(
            size, title: header.title, header.elements + [y.element(plot: plot), x.element(plot: plot)] + marks)
    }
}

/// Several charts in one SVG under a common title, in rows of `columns`: the four box-plot
/// metrics, femur MAE beside L − R, one paired plot per metric. Each panel keeps its own axes
/// and `data-` attributes, as a nested `svg` placed with `x` and `y`.
public struct ChartPanels: ChartFigure {
    public var title: String
    public var panels: [any ChartFigure]
    public var columns: Int
    public var gap: Double

    /// `columns` nil: all panels in one row.
    public init(title: String, panels: [any ChartFigure], columns: Int? = nil, gap: Double = 12) {
        self.title = title
        self.panels = panels
        self.columns = max(1, columns ?? panels.count)
        self.gap = gap
    }

    private var rows: [[any ChartFigure]] {
        stride(from: 0, to: panels.count, by: columns).map { Array(panels[$0..<min($0 + columns, panels.count)]) }
    }

    private var headerHeight: Double { ChartHeader(title: title, legend: nil, width: 0).height }

    public var size: ChartSize {
        let rows = self.rows
        let widths = rows.map { row in row.map(\.size.width).reduce(0, +) + gap * Double(max(0, row.count - 1)) }
        let heights = rows.map { row in row.map(\.size.height).max() ?? 0 }
        return ChartSize(
            width: max(widths.max() ?? 0, 320),
            height: headerHeight + heights.reduce(0, +) + gap * Double(max(0, rows.count - 1)))
    }

    public func svg() -> MarkupElement {
        var placed: [MarkupElement] = []
        var y = headerHeight
        for row in rows {
            var x = 0.0
            for panel in row {
                var element = panel.svg()
                element.setAttribute("x", ChartMarks.px(x))
                element.setAttribute("y", ChartMarks.px(y))
                placed.append(element)
                x += panel.size.width + gap
            }
            y += (row.map(\.size.height).max() ?? 0) + gap
        }
        return ChartMarks.root(
            size, title: title, ChartHeader(title: title, legend: nil, width: size.width).elements + placed)
    }
}

/// What one finding's evidence is made of: slice panels (an `ImageFigure`), charts, or both,
/// stacked into one SVG under the finding's title; the PNG is the slice figure's (panels only).
struct EvidenceDrawing {
    let title: String
    /// What is drawn and how to read it, for the page under the figure.
    let caption: String
    var image: ImageFigure?
    var charts: [any ChartFigure]
    /// Numbers the figure stands for, on its root as `data-` attributes (`data-` prefix included).
    var data: [(String, String)] = []

    static let gap = 12.0

    func reportFigure(name: String) -> ReportFigure {
        let chartWidth = charts.map(\.size.width).reduce(0, +) + Self.gap * Double(max(0, charts.count - 1))
        let chartHeight = charts.map(\.size.height).max() ?? 0
        let imageWidth = Double(image?.width ?? 0), imageHeight = Double(image?.height ?? 0)
        let chartTop = image == nil ? 0 : imageHeight + (charts.isEmpty ? 0 : Self.gap)
        let width = max(imageWidth, chartWidth), height = chartTop + chartHeight
        var parts: [MarkupElement] = []
        if var svg = image?.svg {
            svg.setAttribute("x", "0")
            svg.setAttribute("y", "0")
            parts.append(svg)
        }
        var x = 0.0
        for chart in charts {
            var svg = chart.svg()
            svg.setAttribute("x", ChartMarks.px(x))
            svg.setAttribute("y", ChartMarks.px(chartTop))
            parts.append(svg)
            x += chart.size.width + Self.gap
        }
        let root = ChartMarks.root(ChartSize(width: width, height: height), title: title, parts)
        var withData = root
        for (key, value) in [("class", "audit-evidence")] + data { withData.setAttribute(key, value) }
        return ReportFigure(name: name, title: title, caption: caption, svg: withData, png: image?.png)
    }
}

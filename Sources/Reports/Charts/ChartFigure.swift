/// A chart that can stand alone as an SVG file or sit in `ChartPanels` beside others.
public protocol ChartFigure: Sendable {
    var size: ChartSize { get }
    /// The root `svg` element: `xmlns`, `width`, `height`, `viewBox`, `role="img"` and a `<title>`.
    func svg() -> MarkupElement
}

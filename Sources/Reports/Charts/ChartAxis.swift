/// A linear axis: maps data values to px, `ticks.lower` at `start` and `ticks.upper` at `end`, and
/// draws its light grid lines across the plot, its ticks, their labels and the axis label (which
/// should carry the unit, "Dose (Gy)").
///
/// Each tick is a `line` with `data-tick` (its data value) in a `g` with `data-axis="x"` or `"y"`,
/// so a test can map any drawn coordinate back to data through two ticks, as a reader would.
public struct ChartAxis: Sendable, Equatable {
    public enum Orientation: String, Sendable {
        case horizontal = "x"
        case vertical = "y"
    }

    public let label: String
    public let ticks: ChartTicks
    public let orientation: Orientation
    /// Where `ticks.lower` and `ticks.upper` fall, in px (a vertical axis has `start` below `end`).
    public let start: Double
    public let end: Double

    public init(label: String, ticks: ChartTicks, orientation: Orientation, start: Double, end: Double) {
        self.label = label
        self.ticks = ticks
        self.orientation = orientation
        self.start = start
        self.end = end
    }

    public func position(_ value: Double) -> Double {
        start + (value - ticks.lower) / span * (end - start)
    }

    /// `position` kept inside the axis: a value beyond a fixed range (a volume of 100.0001 %) is drawn
    /// at the edge rather than over the labels.
    public func clampedPosition(_ value: Double) -> Double {
        let drawn = position(value)
        return min(max(drawn, min(start, end)), max(start, end))
    }

    private var span: Double { ticks.upper > ticks.lower ? ticks.upper - ticks.lower : 1 }

    /// How much room a vertical axis needs left of the plot: the widest tick label, a gap, the
    /// turned axis label.
    static func verticalDepth(_ ticks: ChartTicks) -> Double {
        (ticks.values.map { ChartMarks.textWidth(ticks.label($0)) }.max() ?? 0) + 10 + ChartMarks.fontSize + 10
    }

    /// The room a horizontal axis needs below the plot: tick labels and the axis label.
    static let horizontalDepth = ChartMarks.fontSize * 2 + 18

    /// Grid lines across `plot`, ticks and labels on its left (vertical) or bottom (horizontal) edge.
    func element(plot: ChartRect) -> MarkupElement {
        var group = MarkupElement("g", [("class", "axis"), ("data-axis", orientation.rawValue)])
        for value in ticks.values {
            let at = position(value)
            let text = ticks.label(value)
            switch orientation {
            case .vertical:
                group.append(
                    ChartMarks.line(plot.x, at, plot.maxX, at, stroke: ChartPalette.grid, extra: [("class", "grid")]))
                group.append(
                    ChartMarks.line(
                        plot.x - 4, at, plot.x, at, stroke: ChartPalette.axis,
                        extra: [("class", "tick"), ("data-tick", ChartMarks.exact(value))]))
                group.append(ChartMarks.text(text, x: plot.x - 6, y: at + 4, anchor: "end"))
            case .horizontal:
                group.append(
                    ChartMarks.line(at, plot.y, at, plot.maxY, stroke: ChartPalette.grid, extra: [("class", "grid")]))
                group.append(
                    ChartMarks.line(
                        at, plot.maxY, at, plot.maxY + 4, stroke: ChartPalette.axis,
                        extra: [("class", "tick"), ("data-tick", ChartMarks.exact(value))]))
                group.append(ChartMarks.text(text, x: at, y: plot.maxY + 16, anchor: "middle"))
            }
        }
        switch orientation {
        case .vertical:
            group.append(ChartMarks.line(plot.x, plot.y, plot.x, plot.maxY, stroke: ChartPalette.axis))
            let labelX = plot.x - ChartAxis.verticalDepth(ticks) + ChartMarks.fontSize
            group.append(ChartMarks.text(label, x: labelX, y: plot.midY, anchor: "middle", rotate: -90))
        case .horizontal:
            group.append(ChartMarks.line(plot.x, plot.maxY, plot.maxX, plot.maxY, stroke: ChartPalette.axis))
            group.append(
                ChartMarks.text(label, x: plot.midX, y: plot.maxY + ChartAxis.horizontalDepth - 4, anchor: "middle"))
        }
        return group
    }
}

/// A chart's key: entries laid left to right under the title, wrapping to the figure's width, so
/// it never covers data.
public struct ChartLegend: Sendable, Equatable {
    public enum Symbol: Sendable, Equatable {
        /// A stroke, dashed or solid (reference solid, prediction dashed).
        case line(dashed: Bool)
        /// A filled square, for bars and cells.
        case swatch
        /// A dot, for points.
        case point
    }

    public struct Entry: Sendable, Equatable {
        public var label: String
        public var colour: String
        public var symbol: Symbol

        public init(_ label: String, colour: String, symbol: Symbol) {
            self.label = label
            self.colour = colour
            self.symbol = symbol
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    private static let rowHeight = 16.0
    private static let symbolWidth = 22.0

    private func entryWidth(_ entry: Entry) -> Double {
        ChartLegend.symbolWidth + 4 + ChartMarks.textWidth(entry.label) + 14
    }

    /// Each entry's offset from the legend's top left, wrapped to `maxWidth`.
    private func offsets(maxWidth: Double) -> [(x: Double, y: Double)] {
        var (x, y) = (0.0, 0.0)
        return entries.map { entry in
            let width = entryWidth(entry)
            if x > 0, x + width > maxWidth { (x, y) = (0, y + ChartLegend.rowHeight) }
            defer { x += width }
            return (x, y)
        }
    }

    public func height(maxWidth: Double) -> Double {
        guard let last = offsets(maxWidth: maxWidth).last else { return 0 }
        return last.y + ChartLegend.rowHeight
    }

    /// The legend as a `g` (`class="legend"`) with its top left at `x`, `y`.
    public func element(x: Double, y: Double, maxWidth: Double) -> MarkupElement {
        var group = MarkupElement(
            "g", [("class", "legend"), ("transform", "translate(\(ChartMarks.px(x)) \(ChartMarks.px(y)))")])
        for (entry, at) in zip(entries, offsets(maxWidth: maxWidth)) {
            let middle = at.y + ChartLegend.rowHeight / 2
            let symbol: MarkupElement =
                switch entry.symbol {
                case .line(let dashed):
                    ChartMarks.line(
                        at.x, middle, at.x + ChartLegend.symbolWidth, middle, stroke: entry.colour, width: 2,
                        dashed: dashed)
                case .swatch:
                    ChartMarks.rect(
                        ChartRect(x: at.x + 5, y: middle - 6, width: 12, height: 12), fill: entry.colour,
                        extra: [("stroke", ChartPalette.axis), ("stroke-width", "0.5")])
                case .point:
                    MarkupElement(
                        "circle",
                        [
                            ("cx", ChartMarks.px(at.x + 11)), ("cy", ChartMarks.px(middle)), ("r", "4"),
                            ("fill", entry.colour),
                        ])
                }
            var item = MarkupElement("g", [("data-legend", entry.label)])
            item.append(symbol)
            item.append(ChartMarks.text(entry.label, x: at.x + ChartLegend.symbolWidth + 4, y: middle + 4))
            group.append(item)
        }
        return group
    }
}

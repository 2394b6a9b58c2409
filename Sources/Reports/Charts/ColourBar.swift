/// A continuous colour scale for dose maps: a vertical gradient (low at the bottom), round ticks
/// on its right and a label with the unit ("Dose (Gy)"). `group()` is for placing beside an image
/// (set its `transform`); `svg()` stands alone.
///
/// Data in the SVG: the `g class="colour-bar"` has `data-low` and `data-high` (the range, Swift's
/// shortest round-trip text); each tick is a `line` with `data-tick`.
public struct ColourBar: ChartFigure {
    public struct Stop: Sendable, Equatable {
        /// 0 at the bottom of the range, 1 at the top.
        public var fraction: Double
        public var hex: String
    }

    public var stops: [Stop]
    public var range: ClosedRange<Double>
    public var label: String
    /// The gradient's height and width in px.
    public var length: Double
    public var thickness: Double

    /// Stops out of order are sorted and fractions clamped to 0…1.
    public init(
        stops: [(fraction: Double, hex: String)], range: ClosedRange<Double>, label: String, length: Double = 300,
        thickness: Double = 16
    ) {
        self.stops = stops.filter { $0.fraction.isFinite }.map {
            Stop(fraction: min(1, max(0, $0.fraction)), hex: $0.hex)
        }.sorted { $0.fraction < $1.fraction }
        self.range = range
        self.label = label
        self.length = length
        self.thickness = thickness
    }

    private var ticks: ChartTicks {
        ChartTicks(from: range.lowerBound, to: range.upperBound, count: max(2, Int(length / 60)))
    }

    private var tickLabelWidth: Double { ticks.values.map { ChartMarks.textWidth(ticks.label($0)) }.max() ?? 0 }

    /// What `group()` covers from its origin: the gradient, tick labels and the turned label, with
    /// half a line of room above and below for the end labels.
    public var footprint: ChartSize {
        ChartSize(
            width: thickness + 8 + tickLabelWidth + 8 + ChartMarks.fontSize + 4, height: length + ChartMarks.fontSize)
    }

    public var size: ChartSize { ChartSize(width: footprint.width + 20, height: footprint.height + 20) }

    /// Several bars may share one HTML page, where gradient ids are global: the id follows from the
    /// stops, so two bars share an id only when their gradients are the same.
    var gradientId: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in stops.map({ "\(ChartMarks.exact($0.fraction)):\($0.hex)" }).joined(separator: ";").utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return "dosecurate-colour-bar-" + String(hash, radix: 16)
    }

    /// The bar with its top left (the top of the gradient) at (0, fontSize / 2) of the group.
    public func group() -> MarkupElement {
        let top = ChartMarks.fontSize / 2
        let axis = ChartAxis(label: label, ticks: ticks, orientation: .vertical, start: top + length, end: top)
        let gradient = MarkupElement(
            "linearGradient", [("id", gradientId), ("x1", "0"), ("y1", "1"), ("x2", "0"), ("y2", "0")],
            stops.map { MarkupElement("stop", [("offset", ChartMarks.exact($0.fraction)), ("stop-color", $0.hex)]) })
        var group = MarkupElement(
            "g",
            [
                ("class", "colour-bar"), ("data-low", ChartMarks.exact(range.lowerBound)),
                ("data-high", ChartMarks.exact(range.upperBound)),
            ],
            [
                MarkupElement("defs", [], [gradient]),
                ChartMarks.rect(
                    ChartRect(x: 0, y: top, width: thickness, height: length),
                    fill: stops.isEmpty ? ChartPalette.notEvaluated : "url(#\(gradientId))",
                    extra: [("stroke", ChartPalette.axis), ("stroke-width", "0.5")]),
            ])
        for value in ticks.values {
            let y = axis.position(value)
            group.append(
                ChartMarks.line(
                    thickness, y, thickness + 5, y, stroke: ChartPalette.axis,
                    extra: [("data-tick", ChartMarks.exact(value))]))
            group.append(ChartMarks.text(ticks.label(value), x: thickness + 8, y: y + 4))
        }
        let labelX = thickness + 8 + tickLabelWidth + 8 + ChartMarks.fontSize
        group.append(ChartMarks.text(label, x: labelX, y: top + length / 2, anchor: "middle", rotate: -90))
        return group
    }

    public func svg() -> MarkupElement {
        var placed = group()
        placed.setAttribute("transform", "translate(10 10)")
        return ChartMarks.root(size, title: label, [placed])
    }
}

import Foundation

/// Categories (case ids, groups) in equal bands along the bottom of a plot. Labels that do not fit
/// level turn 45°; when even turned they would overlap (60 cases on 640 px) they stand upright and
/// only every k-th is written, so each label stays readable; the marks keep their full names in
/// `data-` attributes and hover titles.
struct ChartCategoryAxis: Sendable, Equatable {
    let label: String
    let categories: [String]
    let start: Double
    let end: Double

    init(label: String, categories: [String], start: Double, end: Double) {
        self.label = label
        self.categories = categories
        self.start = start
        self.end = end
    }

    var bandWidth: Double { (end - start) / Double(max(1, categories.count)) }

    /// The middle of the `index`-th band, in px.
    func center(_ index: Int) -> Double { start + (Double(index) + 0.5) * bandWidth }

    enum Turn: Equatable {
        case level
        case diagonal
        /// Upright, writing every `every`-th label.
        case upright(every: Int)
    }

    var turn: Turn {
        let widest = categories.map { ChartMarks.textWidth($0) }.max() ?? 0
        let lineHeight = ChartMarks.fontSize + 2
        if widest + 6 <= bandWidth { return .level }
        // Neighbouring 45° labels sit bandWidth·sin 45° apart across their baselines; they need a
        // little more than a line there to read apart (30 cases on 640 px looked crowded at exactly one).
        if bandWidth * 0.7 >= lineHeight + 2 { return .diagonal }
        return .upright(every: max(1, Int((lineHeight / max(bandWidth, 0.01)).rounded(.up))))
    }

    /// The room below the plot for tick labels and the axis label.
    var depth: Double {
        let widest = categories.map { ChartMarks.textWidth($0) }.max() ?? 0
        let labels: Double =
            switch turn {
            case .level: ChartMarks.fontSize + 6
            case .diagonal: widest * 0.71 + ChartMarks.fontSize + 6
            case .upright: widest + 10
            }
        return labels + (label.isEmpty ? 4 : ChartMarks.fontSize + 12)
    }

    func element(plot: ChartRect) -> MarkupElement {
        var group = MarkupElement("g", [("class", "axis"), ("data-axis", "x")])
        group.append(ChartMarks.line(plot.x, plot.maxY, plot.maxX, plot.maxY, stroke: ChartPalette.axis))
        let turn = self.turn
        for (index, category) in categories.enumerated() {
            let x = center(index)
            group.append(
                ChartMarks.line(x, plot.maxY, x, plot.maxY + 4, stroke: ChartPalette.axis, extra: [("class", "tick")]))
            switch turn {
            case .level:
                group.append(ChartMarks.text(category, x: x, y: plot.maxY + 16, anchor: "middle"))
            case .diagonal:
                group.append(ChartMarks.text(category, x: x + 3, y: plot.maxY + 12, anchor: "end", rotate: -45))
            case .upright(let every):
                guard index % every == 0 else { continue }
                group.append(ChartMarks.text(category, x: x + 4, y: plot.maxY + 8, anchor: "end", rotate: -90))
            }
        }
        if !label.isEmpty {
            group.append(ChartMarks.text(label, x: plot.midX, y: plot.maxY + depth - 6, anchor: "middle"))
        }
        return group
    }
}

/// The top of every figure: its title, then its legend if it has one.
struct ChartHeader {
    var title: String
    var legend: ChartLegend?
    var width: Double

    private static let margin = 10.0

    /// The px from the figure's top to where the plot may start.
    var height: Double {
        let legendHeight = legend.map { $0.height(maxWidth: width - 2 * ChartHeader.margin) } ?? 0
        return ChartHeader.margin + ChartMarks.titleSize + 8 + (legendHeight > 0 ? legendHeight + 8 : 0)
    }

    var elements: [MarkupElement] {
        var elements = [
            ChartMarks.text(
                title, x: ChartHeader.margin, y: ChartHeader.margin + ChartMarks.titleSize, size: ChartMarks.titleSize,
                bold: true)
        ]
        if let legend, !legend.entries.isEmpty {
            elements.append(
                legend.element(
                    x: ChartHeader.margin, y: ChartHeader.margin + ChartMarks.titleSize + 8,
                    maxWidth: width - 2 * ChartHeader.margin))
        }
        return elements
    }
}

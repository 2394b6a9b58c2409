import Foundation

/// Lays out a grid of slice panels with a title, a caption and one colour bar, and writes it as
/// SVG and as the matching PNG. Rows are read top to bottom (prediction above reference); a
/// column holds one plane, as wide as its widest panel.
struct SliceFigureLayout {
    let title: String
    let rows: [[SlicePanel]]
    /// nil: no colour overlay, so no colour bar (contours over CT only).
    let scale: ColourScale?
    /// One line each under the panels: where the planes cross, the display conventions.
    let caption: [String]
    /// What each outline or marker colour stands for, as swatches under the panels.
    var legend: [(label: String, colour: RGBColour)] = []

    static let margin = 16
    static let gap = 12
    static let titleHeight = 30
    static let panelTitleHeight = 18
    static let captionLineHeight = 16
    /// Room right of the panels: bar, ticks and tick labels, and the rotated bar title.
    static let colourBarWidth = 90
    static let legendHeight = 20

    /// `text` broken at spaces into lines of at most `characters` (a word longer than that keeps its own line).
    static func wrapped(_ text: String, characters: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + 1 + word.count > characters {
                lines.append(current)
                current = String(word)
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        return lines + (current.isEmpty ? [] : [current])
    }

    func figure() throws -> ImageFigure {
        let columnWidths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.compactMap { $0.indices.contains(column) ? $0[column].image.width : nil }.max() ?? 0
        }
        let rowHeights = rows.map { row in row.map(\.image.height).max() ?? 0 }
        let columnX = columnWidths.indices.map { Self.margin + columnWidths[..<$0].reduce(0, +) + $0 * Self.gap }
        var rowY: [Int] = []
        var y = Self.margin + Self.titleHeight
        for height in rowHeights {
            rowY.append(y + Self.panelTitleHeight)
            y += Self.panelTitleHeight + height + Self.gap
        }
        let panelsRight = (columnX.last ?? Self.margin) + (columnWidths.last ?? 0)
        let gridBottom = y - Self.gap
        let legendWidth = legend.map { 18 + Int(ChartMarks.textWidth($0.label, size: 12)) + 16 }.reduce(Self.margin, +)
        let width = max(panelsRight + Self.gap + (scale == nil ? 0 : Self.colourBarWidth) + Self.margin, legendWidth + Self.margin)
        let legendBottom = gridBottom + (legend.isEmpty ? 0 : Self.gap + Self.legendHeight)
        // Captions are wrapped to the figure's width: an SVG does not wrap text, and cuts it off.
        let caption = self.caption.flatMap { Self.wrapped($0, characters: Int(Double(width - 2 * Self.margin) / ChartMarks.textWidth("x", size: 12))) }
        let height = legendBottom + Self.gap + caption.count * Self.captionLineHeight + Self.margin

        var raster = RasterImage(width: width, height: height, fill: .white)
        var svg = MarkupElement("svg", [
            ("xmlns", "http://www.w3.org/2000/svg"), ("width", "\(width)"), ("height", "\(height)"),
            ("viewBox", "0 0 \(width) \(height)"), ("font-family", "sans-serif"),
        ])
        svg.append(MarkupElement("rect", [("width", "\(width)"), ("height", "\(height)"), ("fill", "#ffffff")]))
        svg.append(MarkupElement("text", [("x", "\(Self.margin)"), ("y", "\(Self.margin + 18)"), ("font-size", "16"),
                                          ("font-weight", "bold")], text: title))
        for (rowIndex, row) in rows.enumerated() {
            for (columnIndex, panel) in row.enumerated() {
                let (left, top) = (columnX[columnIndex], rowY[rowIndex])
                raster.draw(panel.image, x: left, y: top)
                svg.append(try panelElement(panel, x: left, y: top))
            }
        }
        let barTop = Self.margin + Self.titleHeight + Self.panelTitleHeight
        if let scale { svg.append(colourBar(scale, x: panelsRight + Self.gap, y: barTop, height: max(60, min(320, gridBottom - barTop)))) }
        if !legend.isEmpty { svg.append(legendElement(y: gridBottom + Self.gap)) }
        for (line, text) in caption.enumerated() {
            svg.append(MarkupElement("text", [("x", "\(Self.margin)"), ("y", "\(legendBottom + Self.gap + 12 + line * Self.captionLineHeight)"),
                                              ("font-size", "12"), ("fill", "#333333")], text: text))
        }
        return ImageFigure(svg: svg, png: try raster.png(), width: width, height: height)
    }

    /// The panel's title above it, its pixels as an embedded PNG (no external reference: a report
    /// is one self-contained file), and the orientation letters inside its edges.
    private func panelElement(_ panel: SlicePanel, x: Int, y: Int) throws -> MarkupElement {
        let (width, height) = (panel.image.width, panel.image.height)
        let encoded = Data(try panel.image.png()).base64EncodedString()
        var group = MarkupElement("g", [("class", "slice-panel"), ("data-plane", panel.plane.rawValue)]
                                  + (panel.fixedIndex.map { [("data-fixed-index", "\($0)")] } ?? []))
        group.append(MarkupElement("text", [("x", "\(x)"), ("y", "\(y - 5)"), ("font-size", "12")], text: panel.title))
        group.append(MarkupElement("image", [
            ("x", "\(x)"), ("y", "\(y)"), ("width", "\(width)"), ("height", "\(height)"),
            ("preserveAspectRatio", "none"), ("style", "image-rendering:pixelated"),
            ("href", "data:image/png;base64,\(encoded)"),
        ]))
        let letters = panel.plane.edgeLetters
        let middleX = Double(x) + Double(width) / 2, middleY = Double(y) + Double(height) / 2
        let placed: [(String, Double, Double, String)] = [
            (letters.left, Double(x) + 4, middleY + 5, "start"), (letters.right, Double(x + width) - 4, middleY + 5, "end"),
            (letters.top, middleX, Double(y) + 15, "middle"), (letters.bottom, middleX, Double(y + height) - 5, "middle"),
        ]
        for (letter, letterX, letterY, anchor) in placed {
            // White with a dark outline: legible on black air, grey tissue and every overlay colour.
            group.append(MarkupElement("text", [
                ("x", MarkupNumber.format(letterX)), ("y", MarkupNumber.format(letterY)), ("text-anchor", anchor),
                ("font-size", "14"), ("font-weight", "bold"), ("fill", "#ffffff"), ("stroke", "#000000"),
                ("stroke-width", "2"), ("paint-order", "stroke"), ("class", "orientation"),
            ], text: letter))
        }
        for marker in panel.markers { group.append(markerElement(marker, x: x, y: y)) }
        return group
    }

    /// A ring over the painted cross, and its label centred under it.
    private func markerElement(_ marker: SliceMarker, x: Int, y: Int) -> MarkupElement {
        let (centreX, centreY) = (Double(x) + marker.x, Double(y) + marker.y)
        return MarkupElement("g", [("class", "marker"), ("data-label", marker.label)] + marker.data, [
            MarkupElement("circle", [("cx", MarkupNumber.format(centreX)), ("cy", MarkupNumber.format(centreY)),
                                     ("r", MarkupNumber.format(SliceMarker.radius)), ("fill", "none"), ("stroke", marker.colour.hex),
                                     ("stroke-width", "2")]),
            MarkupElement("text", [
                ("x", MarkupNumber.format(centreX)), ("y", MarkupNumber.format(centreY + SliceMarker.radius + 13)),
                ("text-anchor", "middle"), ("font-size", "12"), ("font-weight", "bold"), ("fill", marker.colour.hex),
                ("stroke", "#000000"), ("stroke-width", "2"), ("paint-order", "stroke"),
            ], text: marker.label),
        ])
    }

    /// A swatch and its label per entry, left to right.
    private func legendElement(y: Int) -> MarkupElement {
        var group = MarkupElement("g", [("class", "legend"), ("font-size", "12")])
        var x = Double(Self.margin)
        for entry in legend {
            group.append(MarkupElement("rect", [("x", MarkupNumber.format(x)), ("y", "\(y + 4)"), ("width", "14"), ("height", "10"),
                                                ("fill", entry.colour.hex), ("stroke", "#333333"), ("stroke-width", "0.5")]))
            group.append(MarkupElement("text", [("x", MarkupNumber.format(x + 18)), ("y", "\(y + 13)")], text: entry.label))
            x += 18 + ChartMarks.textWidth(entry.label, size: 12) + 16
        }
        return group
    }

    /// A vertical colour bar with round ticks (`ChartTicks`), both ends labelled, and its title.
    /// Thin bands coloured by `ColourMap.colour(at:)` rather than the charts' gradient `ColourBar`:
    /// the bands show exactly the colours the pixels got, the gamma map's jump at 1 included (a
    /// gradient would need its two stops at the same fraction kept in order), and need no id.
    private func colourBar(_ scale: ColourScale, x: Int, y: Int, height: Int) -> MarkupElement {
        let barWidth = 16.0, bands = 128
        var group = MarkupElement("g", [("class", "colour-bar"), ("font-size", "11")])
        for band in 0..<bands {
            // Top band = upper end; each band is coloured at its centre.
            let fraction = 1 - (Double(band) + 0.5) / Double(bands)
            let bandHeight = Double(height) / Double(bands)
            group.append(MarkupElement("rect", [
                ("x", "\(x)"), ("y", MarkupNumber.format(Double(y) + Double(band) * bandHeight)), ("width", MarkupNumber.format(barWidth)),
                ("height", MarkupNumber.format(bandHeight + 0.5)), ("fill", scale.map.colour(at: fraction).hex), ("shape-rendering", "crispEdges"),
            ]))
        }
        group.append(MarkupElement("rect", [("x", "\(x)"), ("y", "\(y)"), ("width", MarkupNumber.format(barWidth)), ("height", "\(height)"),
                                            ("fill", "none"), ("stroke", "#333333"), ("stroke-width", "0.5")]))
        // Both ends are labelled (the dose bar's lower end is the display threshold), with round
        // ticks between them that are not crowding an end.
        let ticks = ChartTicks(from: scale.lower, to: scale.upper)
        let inner = ticks.values.filter { min($0 - scale.lower, scale.upper - $0) >= 0.3 * ticks.step }
        for value in [scale.lower] + inner + [scale.upper] {
            let tickY = Double(y) + (1 - scale.fraction(of: value)) * Double(height)
            let right = Double(x) + barWidth
            group.append(MarkupElement("line", [("x1", MarkupNumber.format(right)), ("x2", MarkupNumber.format(right + 4)),
                                                ("y1", MarkupNumber.format(tickY)), ("y2", MarkupNumber.format(tickY)), ("stroke", "#333333")]))
            group.append(MarkupElement("text", [("x", MarkupNumber.format(right + 6)), ("y", MarkupNumber.format(tickY + 4))],
                                       text: MarkupNumber.format(value)))
        }
        let titleX = Double(x) + barWidth + 52, titleY = Double(y) + Double(height) / 2
        group.append(MarkupElement("text", [
            ("x", MarkupNumber.format(titleX)), ("y", MarkupNumber.format(titleY)), ("text-anchor", "middle"), ("font-size", "12"),
            ("transform", "rotate(-90 \(MarkupNumber.format(titleX)) \(MarkupNumber.format(titleY)))"),
        ], text: scale.label))
        return group
    }
}

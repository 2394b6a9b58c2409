import Foundation

/// The SVG pieces every chart draws with, so text, lines and numbers look and read the same in all
/// of them.
enum ChartMarks {
    static let fontSize = 11.0
    static let titleSize = 14.0

    /// A data value as the `data-` attributes carry it: Swift's shortest text that reads back to the
    /// same `Double`, so the report's tests can compare with `==`.
    static func exact(_ value: Double) -> String { String(describing: value) }

    static func exact(_ values: [Double]) -> String { values.map(exact).joined(separator: " ") }

    static func px(_ value: Double) -> String { MarkupNumber.format(value) }

    /// A number for people to read: fixed decimals, never "-0.0".
    static func decimal(_ value: Double, _ decimals: Int) -> String {
        let text = String(format: "%.\(max(0, decimals))f", value)
        return text.allSatisfy({ "-0.".contains($0) }) && text.hasPrefix("-") ? String(text.dropFirst()) : text
    }

    /// `value` with its unit, "68.2 Gy", "45.1 %"; no unit, no space.
    static func quantity(_ value: Double, unit: String, decimals: Int) -> String {
        unit.isEmpty ? decimal(value, decimals) : decimal(value, decimals) + " " + unit
    }

    /// About how wide `text` is in a sans-serif font: no fonts are measured (none are embedded), so
    /// layouts leave room for this estimate, which errs wide for digits and lower case.
    static func textWidth(_ text: String, size: Double = fontSize) -> Double {
        Double(text.count) * size * 0.6
    }

    /// The root every figure shares: size, a white ground (figures get pasted onto dark slides), a
    /// `<title>` for screen readers and sans-serif text inherited by every label.
    static func root(_ size: ChartSize, title: String, _ children: [MarkupElement]) -> MarkupElement {
        MarkupElement(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"),
                ("width", px(size.width)), ("height", px(size.height)),
                ("viewBox", "0 0 \(px(size.width)) \(px(size.height))"),
                ("role", "img"), ("font-family", "sans-serif"), ("font-size", px(fontSize)),
            ],
            [
                MarkupElement("title", text: title),
                MarkupElement("rect", [("width", "100%"), ("height", "100%"), ("fill", "#FFFFFF")]),
            ] + children)
    }

    static func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = fontSize,
        bold: Bool = false, rotate: Double = 0, fill: String = ChartPalette.text, halo: Bool = false
    ) -> MarkupElement {
        var attributes = [("x", px(x)), ("y", px(y)), ("text-anchor", anchor), ("fill", fill)]
        if size != fontSize { attributes.append(("font-size", px(size))) }
        if bold { attributes.append(("font-weight", "bold")) }
        // A white outline under the glyphs keeps a label readable where it crosses lines or bars.
        if halo { attributes += [("stroke", "#FFFFFF"), ("stroke-width", "3"), ("paint-order", "stroke")] }
        if rotate != 0 { attributes.append(("transform", "rotate(\(px(rotate)) \(px(x)) \(px(y)))")) }
        return MarkupElement("text", attributes, text: content)
    }

    static func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
        dashed: Bool = false, extra: [(String, String)] = []
    ) -> MarkupElement {
        var attributes = [
            ("x1", px(x1)), ("y1", px(y1)), ("x2", px(x2)), ("y2", px(y2)), ("stroke", stroke),
            ("stroke-width", px(width)),
        ]
        if dashed { attributes.append(("stroke-dasharray", "6 4")) }
        return MarkupElement("line", attributes + extra)
    }

    static func rect(_ rect: ChartRect, fill: String, extra: [(String, String)] = [], children: [MarkupElement] = [])
        -> MarkupElement
    {
        MarkupElement(
            "rect",
            [
                ("x", px(rect.x)), ("y", px(rect.y)), ("width", px(max(0, rect.width))),
                ("height", px(max(0, rect.height))), ("fill", fill),
            ] + extra, children)
    }

    /// A hover text (SVG `<title>` child): what a reader sees when pointing at a bar or a point.
    static func tooltip(_ text: String) -> MarkupElement { MarkupElement("title", text: text) }

    /// A value is drawn only when it is a number: nil and NaN are "not measured", never zero.
    static func drawable(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }
}

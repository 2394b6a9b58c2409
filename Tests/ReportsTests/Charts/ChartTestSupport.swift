import Reports
import XCTest

/// What every chart test does first: serialise through libxml2, parse strictly, and refuse anything
/// that would reach outside the file.
func renderedSVG(_ figure: any ChartFigure, file: StaticString = #filePath, line: UInt = #line) throws -> MarkupElement
{
    let root = figure.svg()
    let bytes = try MarkupDocument.svg(root)
    try MarkupDocument.checkWellFormed(bytes, name: "chart.svg")
    // The namespace is the one URL an SVG must carry; nothing else may name a location.
    let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(
        of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    for forbidden in ["href", "http", "<script", "url(http", "@import"] {
        XCTAssertFalse(text.contains(forbidden), "SVG holds \(forbidden)", file: file, line: line)
    }
    XCTAssertEqual(root.name, "svg", file: file, line: line)
    XCTAssertEqual(root.attribute("role"), "img", file: file, line: line)
    XCTAssertEqual(
        root.attribute("viewBox"), "0 0 \(root.attribute("width") ?? "?") \(root.attribute("height") ?? "?")",
        file: file, line: line)
    if case .element(let first)? = root.children.first {
        XCTAssertEqual(first.name, "title", file: file, line: line)
        XCTAssertFalse(first.textContent.isEmpty, file: file, line: line)
    } else {
        XCTFail("no <title> first", file: file, line: line)
    }
    return root
}

extension MarkupElement {
    func number(_ name: String) -> Double? { attribute(name).flatMap(Double.init) }

    func numbers(_ name: String) -> [Double] { (attribute(name) ?? "").split(separator: " ").compactMap { Double($0) } }

    /// This element and those below it with `class` = `name` (e.g. `bar`), depth first.
    func marks(_ name: String) -> [MarkupElement] { all.filter { $0.attribute("class") == name } }

    var all: [MarkupElement] {
        var found = [self]
        for case .element(let child) in children { found += child.all }
        return found
    }
}

/// The px → data map a reader would use: the first and last drawn ticks of the `x` or `y` axis,
/// read from the SVG (`data-tick` and the tick line's coordinate), interpolated linearly.
func axisReading(_ svg: MarkupElement, _ axis: String) throws -> (Double) -> Double {
    let group = try XCTUnwrap(svg.all.first { $0.name == "g" && $0.attribute("data-axis") == axis }, "no \(axis) axis")
    let ticks = group.all.filter { $0.attribute("data-tick") != nil }
    let coordinate = axis == "y" ? "y1" : "x1"
    let first = try XCTUnwrap(ticks.first)
    let last = try XCTUnwrap(ticks.last)
    let (v0, p0) = (try XCTUnwrap(first.number("data-tick")), try XCTUnwrap(first.number(coordinate)))
    let (v1, p1) = (try XCTUnwrap(last.number("data-tick")), try XCTUnwrap(last.number(coordinate)))
    XCTAssertNotEqual(p0, p1)
    return { position in v0 + (position - p0) / (p1 - p0) * (v1 - v0) }
}

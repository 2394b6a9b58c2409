import Reports
import XCTest

/// The colour bar's gradient runs low to high bottom to top, its ticks stay in range, and its
/// gradient id follows from its stops (ids are global in an HTML page).
final class ColourBarTests: XCTestCase {
    private let stops: [(fraction: Double, hex: String)] = [(1, "#FFFFFF"), (0, "#000080"), (0.5, "#D55E00")]

    func testGradientIsSortedBottomToTopWithTicksInRange() throws {
        let bar = ColourBar(stops: stops, range: 0...73.4, label: "Dose (Gy)")
        let svg = try renderedSVG(bar)
        let gradient = try XCTUnwrap(svg.all.first { $0.name == "linearGradient" })
        XCTAssertEqual(gradient.attribute("y1"), "1")
        XCTAssertEqual(gradient.attribute("y2"), "0")
        XCTAssertEqual(
            gradient.all.filter { $0.name == "stop" }.map { $0.attribute("stop-color") ?? "" },
            ["#000080", "#D55E00", "#FFFFFF"])
        let fill = try XCTUnwrap(svg.all.first { $0.attribute("fill")?.hasPrefix("url(#") ?? false }?.attribute("fill"))
        XCTAssertEqual(fill, "url(#\(gradient.attribute("id") ?? ""))")
        let ticks = svg.all.compactMap { $0.number("data-tick") }
        XCTAssertEqual(ticks, [0, 20, 40, 60])
        let group = try XCTUnwrap(svg.marks("colour-bar").first)
        XCTAssertEqual(group.number("data-high"), 73.4)
        XCTAssertTrue(svg.all.contains { $0.name == "text" && $0.textContent == "Dose (Gy)" })
    }

    func testGroupIsUnplacedAndIdsDifferOnlyWithStops() {
        let bar = ColourBar(stops: stops, range: 0...70, label: "Dose (Gy)")
        XCTAssertNil(bar.group().attribute("transform"), "the caller places it")
        let id = { (bar: ColourBar) in bar.group().all.first { $0.name == "linearGradient" }?.attribute("id") }
        XCTAssertEqual(id(bar), id(ColourBar(stops: stops, range: 0...10, label: "Error (Gy)")))
        XCTAssertNotEqual(
            id(bar), id(ColourBar(stops: [(0, "#000000"), (1, "#FFFFFF")], range: 0...70, label: "Dose (Gy)")))
        XCTAssertGreaterThan(bar.footprint.height, bar.length)
    }
}

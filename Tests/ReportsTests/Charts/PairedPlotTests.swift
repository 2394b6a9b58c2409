import Reports
import XCTest

/// Each case's A and B values are kept, drawn where the axis says, and joined only when both exist.
final class PairedPlotTests: XCTestCase {
    private let plot = PairedPlot(
        title: "MAE", yLabel: "MAE (Gy)", nameA: "run_a", nameB: "run_b",
        pairs: [
            .init(label: "case_0001", a: 1.25, b: 1.0625),
            .init(label: "case_0002", a: 2.5, b: nil),
        ])

    func testPairsCarryBothValuesAndAMissingOneIsNotDrawn() throws {
        let pairs = try renderedSVG(plot).marks("pair")
        XCTAssertEqual(pairs.map { $0.attribute("data-label") ?? "" }, ["case_0001", "case_0002"])
        XCTAssertEqual(pairs.map { $0.number("data-a") }, [1.25, 2.5])
        XCTAssertEqual(pairs.map { $0.number("data-b") }, [1.0625, nil])
        XCTAssertEqual(pairs[0].all.filter { $0.name == "line" }.count, 1)
        XCTAssertEqual(pairs[1].all.filter { $0.name == "line" }.count, 0)
        XCTAssertEqual(pairs[1].all.filter { $0.name == "circle" }.map { $0.attribute("data-condition") ?? "" }, ["a"])
    }

    func testPointsReadBackThroughTheAxis() throws {
        let svg = try renderedSVG(plot)
        let readY = try axisReading(svg, "y")
        for circle in svg.all where circle.name == "circle" && circle.attribute("data-value") != nil {
            XCTAssertEqual(
                readY(try XCTUnwrap(circle.number("cy"))), try XCTUnwrap(circle.number("data-value")), accuracy: 0.01)
        }
        XCTAssertTrue(svg.all.contains { $0.name == "text" && $0.textContent == "run_b" })
    }
}

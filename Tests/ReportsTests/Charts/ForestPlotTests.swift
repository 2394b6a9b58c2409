import Reports
import XCTest

/// Rows carry estimate and interval, are drawn where the axis says, name their unit, and a missing
/// estimate is written as such rather than drawn at zero.
final class ForestPlotTests: XCTestCase {
    private let plot = ForestPlot(
        title: "B − A",
        rows: [
            .init(metric: "MAE", unit: "Gy", estimate: -0.1234, low: -0.31, high: 0.052),
            .init(metric: "Global γ pass rate", unit: "%", estimate: 1.75, low: 0.5, high: 3.125, decimals: 1),
            .init(metric: "PTV70 D95 error", unit: "Gy", estimate: nil, low: nil, high: nil),
        ])

    func testRowsCarryEstimatesAndIntervals() throws {
        let rows = try renderedSVG(plot).marks("row")
        XCTAssertEqual(
            rows.map { $0.attribute("data-metric") ?? "" }, ["MAE", "Global γ pass rate", "PTV70 D95 error"])
        XCTAssertEqual(rows.map { $0.attribute("data-unit") ?? "" }, ["Gy", "%", "Gy"])
        XCTAssertEqual(rows.map { $0.number("data-estimate") }, [-0.1234, 1.75, nil])
        XCTAssertEqual(rows.map { $0.number("data-low") }, [-0.31, 0.5, nil])
        XCTAssertEqual(rows.map { $0.number("data-high") }, [0.052, 3.125, nil])
        let texts = rows.map { $0.all.filter { $0.name == "text" }.map(\.textContent) }
        XCTAssertEqual(texts[0], ["MAE (Gy)", "-0.12 [-0.31, 0.05]"])
        XCTAssertEqual(texts[1], ["Global γ pass rate (%)", "1.8 [0.5, 3.1]"])
        XCTAssertEqual(texts[2], ["PTV70 D95 error (Gy)", "not available"])
        XCTAssertTrue(rows[2].marks("estimate").isEmpty && rows[2].marks("interval").isEmpty)
    }

    func testEstimatesIntervalsAndZeroReadBackThroughTheAxis() throws {
        let svg = try renderedSVG(plot)
        let readX = try axisReading(svg, "x")
        let first = try XCTUnwrap(svg.marks("row").first)
        let square = try XCTUnwrap(first.marks("estimate").first)
        XCTAssertEqual(readX(try XCTUnwrap(square.number("x")) + 5), -0.1234, accuracy: 0.01)
        let interval = try XCTUnwrap(first.marks("interval").first)
        XCTAssertEqual(readX(try XCTUnwrap(interval.number("x1"))), -0.31, accuracy: 0.01)
        XCTAssertEqual(readX(try XCTUnwrap(interval.number("x2"))), 0.052, accuracy: 0.01)
        let zero = try XCTUnwrap(svg.marks("zero").first)
        XCTAssertEqual(readX(try XCTUnwrap(zero.number("x1"))), 0, accuracy: 0.01)
    }
}

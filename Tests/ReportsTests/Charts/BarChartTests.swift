import Reports
import XCTest

/// Bars carry their values, stand at the height the axis says, skip nil, diverge around zero, and
/// case labels stay readable with 60 cases.
final class BarChartTests: XCTestCase {
    private let cases = ["case_0001", "case_0002", "case_0003"]

    private var gamma: BarChart {
        BarChart(
            title: "Gamma pass rate", categories: cases,
            series: [
                .init(name: "global", values: [97.25, 88.125, nil], colour: ChartPalette.blue),
                .init(name: "PTV region", values: [99.5, 91.0, 94.75], colour: ChartPalette.vermillion),
            ], xLabel: "Case", yLabel: "Pass rate (%)", yRange: 0...100,
            referenceLines: [.init(value: 95, label: "95 %")])
    }

    func testBarsCarryTheirValuesAndNilHasNoBar() throws {
        let bars = try renderedSVG(gamma).marks("bar")
        XCTAssertEqual(bars.count, 5)
        XCTAssertEqual(
            bars.map { $0.attribute("data-category") ?? "" },
            ["case_0001", "case_0001", "case_0002", "case_0002", "case_0003"])
        XCTAssertEqual(
            bars.map { $0.attribute("data-series") ?? "" },
            ["global", "PTV region", "global", "PTV region", "PTV region"])
        XCTAssertEqual(bars.compactMap { $0.number("data-value") }, [97.25, 99.5, 88.125, 91.0, 94.75])
        XCTAssertFalse(
            bars.contains { $0.attribute("data-category") == "case_0003" && $0.attribute("data-series") == "global" })
    }

    func testBarHeightsAndReferenceLineReadBackThroughTheAxis() throws {
        let svg = try renderedSVG(gamma)
        let readY = try axisReading(svg, "y")
        for bar in svg.marks("bar") {
            let top = try XCTUnwrap(bar.number("y"))
            let height = try XCTUnwrap(bar.number("height"))
            XCTAssertEqual(readY(top), try XCTUnwrap(bar.number("data-value")), accuracy: 0.01)
            XCTAssertEqual(readY(top + height), 0, accuracy: 0.01)
        }
        let reference = try XCTUnwrap(svg.marks("reference").first)
        XCTAssertEqual(reference.number("data-value"), 95)
        XCTAssertEqual(readY(try XCTUnwrap(reference.number("y1"))), 95, accuracy: 0.01)
        XCTAssertTrue(svg.all.contains { $0.name == "text" && $0.textContent == "95 %" })
    }

    func testDivergingBarsHangBelowZeroInTheirOwnColour() throws {
        let chart = BarChart(
            title: "Femur L − R", categories: cases,
            series: [
                .init(
                    name: "L − R", values: [0.42, -0.8, 0], colour: ChartPalette.blue,
                    negativeColour: ChartPalette.vermillion)
            ], xLabel: "Case", yLabel: "MAE difference (Gy)")
        let svg = try renderedSVG(chart)
        let readY = try axisReading(svg, "y")
        let bars = svg.marks("bar")
        XCTAssertEqual(
            bars.map { $0.attribute("fill") }, [ChartPalette.blue, ChartPalette.vermillion, ChartPalette.blue])
        let negative = bars[1]
        let top = try XCTUnwrap(negative.number("y"))
        let height = try XCTUnwrap(negative.number("height"))
        XCTAssertEqual(readY(top), 0, accuracy: 0.01)
        XCTAssertEqual(readY(top + height), -0.8, accuracy: 0.01)
        let zero = try XCTUnwrap(svg.marks("zero").first)
        XCTAssertEqual(readY(try XCTUnwrap(zero.number("y1"))), 0, accuracy: 0.01)
        XCTAssertTrue(svg.marks("legend").isEmpty, "one series, no legend")
    }

    func testSixtyCaseLabelsTurnAndThinSoTheyDoNotOverlap() throws {
        let many = (1...60).map { "case_\(String(10000 + $0).dropFirst())" }
        let chart = BarChart(
            title: "Gamma", categories: many,
            series: [.init(name: "global", values: many.map { _ in 97 }, colour: ChartPalette.blue)],
            xLabel: "Case", yLabel: "Pass rate (%)", yRange: 0...100)
        let svg = try renderedSVG(chart)
        let axis = try XCTUnwrap(svg.all.first { $0.attribute("data-axis") == "x" })
        let labels = axis.all.filter { $0.name == "text" && $0.textContent.hasPrefix("case_") }
        XCTAssertTrue(labels.allSatisfy { ($0.attribute("transform") ?? "").hasPrefix("rotate(-90") })
        let xs = labels.compactMap { $0.number("x") }
        XCTAssertGreaterThan(labels.count, 20)
        XCTAssertLessThan(labels.count, 60)
        XCTAssertTrue(zip(xs, xs.dropFirst()).allSatisfy { $1 - $0 >= 12 }, "upright labels at least a line apart")
        XCTAssertEqual(svg.marks("bar").count, 60, "every case keeps its bar")
    }
}

import Reports
import XCTest

/// Cells carry their row, column, state and value; missing cells are "not evaluated", never zero;
/// the text gives the value with its unit and a failed cell has more than colour to show it.
final class HeatMapTests: XCTestCase {
    private let map = HeatMap(
        title: "Acceptance", rows: ["case_0001", "case_0002"],
        columns: [.init(name: "PTV70 D95 ≥ 66.5 Gy", unit: "Gy"), .init(name: "Rectum V65 ≤ 17 %", unit: "%")],
        cells: [
            [.init(state: .pass, value: 68.23), .init(state: .fail, value: 45.1)],
            [.init(state: .notEvaluated, value: nil)],
        ])

    func testCellsCarryStatesAndValuesAndMissingCellsAreNotEvaluated() throws {
        let cells = try renderedSVG(map).marks("cell")
        XCTAssertEqual(cells.count, 4)
        XCTAssertEqual(
            cells.map { $0.attribute("data-row") ?? "" }, ["case_0001", "case_0001", "case_0002", "case_0002"])
        XCTAssertEqual(
            cells.map { $0.attribute("data-column") ?? "" },
            ["PTV70 D95 ≥ 66.5 Gy", "Rectum V65 ≤ 17 %", "PTV70 D95 ≥ 66.5 Gy", "Rectum V65 ≤ 17 %"])
        XCTAssertEqual(
            cells.map { $0.attribute("data-state") ?? "" }, ["pass", "fail", "not-evaluated", "not-evaluated"])
        XCTAssertEqual(cells.map { $0.number("data-value") }, [68.23, 45.1, nil, nil])
    }

    func testCellTextHasTheUnitAndStatesDifferBeyondColour() throws {
        let svg = try renderedSVG(map)
        let texts = svg.all.filter { $0.name == "text" }.map(\.textContent)
        XCTAssertTrue(texts.contains("68.2 Gy"))
        XCTAssertTrue(texts.contains("45.1 %"))
        XCTAssertEqual(texts.filter { $0 == "–" }.count, 2)
        let cells = svg.marks("cell")
        let fills = Set(cells.compactMap { $0.attribute("fill") })
        XCTAssertEqual(fills.count, 3, "pass, fail and not evaluated each have their own colour")
        XCTAssertEqual(cells[1].attribute("stroke"), ChartPalette.vermillion)
        XCTAssertTrue(
            svg.all.contains {
                $0.name == "text" && $0.textContent == "45.1 %" && $0.attribute("font-weight") == "bold"
            })
        XCTAssertEqual(svg.all.compactMap { $0.attribute("data-legend") }, ["pass", "fail", "not evaluated"])
    }

    func testSizeGrowsWithRowsAndColumns() {
        var bigger = map
        bigger.rows += (3...40).map { "case_\($0)" }
        XCTAssertEqual(bigger.size.height - map.size.height, 38 * 18, accuracy: 0.001)
        XCTAssertEqual(bigger.svg().marks("cell").count, 80)
    }
}

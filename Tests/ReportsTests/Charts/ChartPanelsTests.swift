import Reports
import XCTest

/// Panels sit side by side (or in rows) without overlapping, each a complete figure of its own.
final class ChartPanelsTests: XCTestCase {
    private func box(_ title: String, _ unit: String) -> BoxPlot {
        BoxPlot(
            title: title, yLabel: unit,
            groups: [
                .init(name: "test", points: (0..<20).map { .init(label: "case_\($0)", value: Double($0 * $0) / 7) })
            ])
    }

    func testPanelsAreNestedFiguresPlacedWithoutOverlap() throws {
        let panels = ChartPanels(
            title: "Per-case metrics",
            panels: [box("MAE", "MAE (Gy)"), box("Global γ", "Pass rate (%)"), box("PTV γ", "Pass rate (%)")],
            columns: 2)
        let svg = try renderedSVG(panels)
        let nested = svg.children.compactMap { child -> MarkupElement? in
            if case .element(let element) = child, element.name == "svg" { return element }
            return nil
        }
        XCTAssertEqual(nested.count, 3)
        let frames = nested.map {
            ($0.number("x") ?? -1, $0.number("y") ?? -1, $0.number("width") ?? 0, $0.number("height") ?? 0)
        }
        XCTAssertEqual(frames[0].0, 0)
        XCTAssertGreaterThanOrEqual(frames[1].0, frames[0].0 + frames[0].2)
        XCTAssertEqual(frames[1].1, frames[0].1)
        XCTAssertGreaterThanOrEqual(frames[2].1, frames[0].1 + frames[0].3, "third panel starts a second row")
        for frame in frames {
            XCTAssertLessThanOrEqual(frame.0 + frame.2, panels.size.width)
            XCTAssertLessThanOrEqual(frame.1 + frame.3, panels.size.height)
        }
        XCTAssertEqual(svg.marks("box").count, 3)
    }
}

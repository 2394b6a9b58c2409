import Reports
import XCTest

/// Quartiles equal NumPy's, whiskers stop at the last point within 1.5 IQR, every point is drawn
/// where the axis says, and the jitter is the same on every run.
final class BoxPlotTests: XCTestCase {
    // NumPy 2.4.6:
    // python3 -c "import numpy as np; s=[3.1,0.4,2.2,5.9,1.7,2.8,12.5,0.9,2.2,3.6,1.3,0.77];
    //   print([repr(float(v)) for v in np.percentile(s,[10,25,50,75,90])])"
    // python3 -c "import numpy as np; print([repr(float(v)) for v in np.percentile([0.1,0.2,0.7],[25,50,75,33])])"
    private let sample = [3.1, 0.4, 2.2, 5.9, 1.7, 2.8, 12.5, 0.9, 2.2, 3.6, 1.3, 0.77]

    func testPercentilesEqualNumPysLinearMethodBitForBit() {
        let sorted = sample.sorted()
        XCTAssertEqual(
            [10, 25, 50, 75, 90].map { BoxPlotSummary.percentile(sorted, $0) },
            [0.783, 1.2, 2.2, 3.225, 5.670000000000001])
        XCTAssertEqual(
            [25, 50, 75, 33].map { BoxPlotSummary.percentile([0.1, 0.2, 0.7], $0) },
            [0.15000000000000002, 0.2, 0.44999999999999996, 0.166])
        XCTAssertEqual(BoxPlotSummary.percentile([4.5], 25), 4.5)
    }

    func testWhiskersStopAtTheLastPointWithinOneAndAHalfIQR() throws {
        let summary = try XCTUnwrap(BoxPlotSummary(sample + [.nan]))
        XCTAssertEqual(summary.count, 12, "NaN is not a value")
        XCTAssertEqual(summary.lowerWhisker, 0.4)
        XCTAssertEqual(summary.upperWhisker, 5.9, "12.5 lies beyond q3 + 1.5 IQR = 6.2625")
        XCTAssertNil(BoxPlotSummary([]))
        XCTAssertNil(BoxPlotSummary([.nan]))
    }

    private var plot: BoxPlot {
        let points =
            sample.enumerated().map { BoxPlot.Point(label: "case_\($0.offset)", value: $0.element) } + [
                .init(label: "case_missing", value: nil)
            ]
        return BoxPlot(
            title: "MAE", yLabel: "MAE (Gy)",
            groups: [
                .init(name: "test", points: points), .init(name: "empty", points: [.init(label: "x", value: nil)]),
            ])
    }

    func testBoxAndPointsCarryTheSummaryAndEveryValue() throws {
        let svg = try renderedSVG(plot)
        let boxes = svg.marks("box")
        XCTAssertEqual(boxes.count, 1, "a group without values has no box")
        let box = boxes[0]
        XCTAssertEqual(box.attribute("data-group"), "test")
        XCTAssertEqual(box.attribute("data-count"), "12")
        XCTAssertEqual(
            ["data-lower-whisker", "data-lower-quartile", "data-median", "data-upper-quartile", "data-upper-whisker"]
                .compactMap { box.number($0) },
            [0.4, 1.2, 2.2, 3.225, 5.9])
        let points = svg.marks("point")
        XCTAssertEqual(points.compactMap { $0.number("data-value") }, sample)
        XCTAssertEqual(points.map { $0.attribute("data-label") ?? "" }, sample.indices.map { "case_\($0)" })
        XCTAssertTrue(svg.all.contains { $0.name == "text" && $0.textContent == "test (n = 12)" })
    }

    func testPointsAndMedianAreDrawnWhereTheAxisSaysWithAFixedJitter() throws {
        let svg = try renderedSVG(plot)
        let readY = try axisReading(svg, "y")
        for point in svg.marks("point") {
            XCTAssertEqual(
                readY(try XCTUnwrap(point.number("cy"))), try XCTUnwrap(point.number("data-value")), accuracy: 0.01)
        }
        let medianLine = try XCTUnwrap(svg.marks("box").first?.all.first { $0.attribute("stroke-width") == "2.5" })
        XCTAssertEqual(readY(try XCTUnwrap(medianLine.number("y1"))), 2.2, accuracy: 0.01)
        let xs = svg.marks("point").compactMap { $0.number("cx") }
        XCTAssertGreaterThan(Set(xs).count, 6, "points are spread sideways")
        XCTAssertEqual(plot.svg(), plot.svg(), "the same data draws the same picture")
        var reseeded = plot
        reseeded.jitterSeed = 2
        XCTAssertNotEqual(reseeded.svg().marks("point").compactMap { $0.number("cx") }, xs)
    }
}

import Reports
import XCTest

/// Lines keep their values in `data-` attributes, are drawn where the axes say, break at nil, and a
/// DVH's legend names structures and line styles.
final class LineChartTests: XCTestCase {
    private let epochs = [1.0, 2, 3, 4, 5, 6]
    private let training = [0.91, 0.52, 0.37, 0.301, 0.2642, 0.25]
    private let validation: [Double?] = [1.04, 0.61, nil, 0.4413, 0.402, 0.415]

    private var losses: LineChart {
        LineChart(
            title: "Loss", xLabel: "Epoch", yLabel: "Loss (Gy²)",
            series: [
                .init(
                    name: "training", points: zip(epochs, training).map { .init(x: $0, y: $1) },
                    colour: ChartPalette.blue),
                .init(
                    name: "validation", points: zip(epochs, validation).map { .init(x: $0, y: $1) },
                    colour: ChartPalette.vermillion),
            ], markers: [.init(x: 5, y: 0.402, label: "best: epoch 5")])
    }

    func testDataAttributesHoldTheValuesAndNilBreaksTheLine() throws {
        let svg = try renderedSVG(losses)
        let lines = svg.all.filter { $0.name == "polyline" }
        let trainingLine = try XCTUnwrap(lines.first { $0.attribute("data-series") == "training" })
        XCTAssertEqual(trainingLine.numbers("data-x"), epochs)
        XCTAssertEqual(trainingLine.numbers("data-y"), training)
        let validationRuns = lines.filter { $0.attribute("data-series") == "validation" }
        XCTAssertEqual(validationRuns.map { $0.numbers("data-x") }, [[1, 2], [4, 5, 6]])
        XCTAssertEqual(validationRuns.flatMap { $0.numbers("data-y") }, validation.compactMap { $0 })
        let marker = try XCTUnwrap(svg.marks("marker").first)
        XCTAssertEqual(marker.number("data-x"), 5)
        XCTAssertEqual(marker.number("data-y"), 0.402)
        XCTAssertEqual(marker.attribute("data-label"), "best: epoch 5")
        XCTAssertTrue(marker.textContent.contains("best: epoch 5"))
    }

    func testDrawnPointsReadBackThroughTheAxes() throws {
        let svg = try renderedSVG(losses)
        let (readX, readY) = (try axisReading(svg, "x"), try axisReading(svg, "y"))
        let line = try XCTUnwrap(svg.all.first { $0.attribute("data-series") == "training" })
        let drawn = (line.attribute("points") ?? "").split(separator: " ").map {
            $0.split(separator: ",").compactMap { Double($0) }
        }
        XCTAssertEqual(drawn.count, training.count)
        for (point, (epoch, loss)) in zip(drawn, zip(epochs, training)) {
            XCTAssertEqual(readX(point[0]), epoch, accuracy: 0.01)
            XCTAssertEqual(readY(point[1]), loss, accuracy: 0.01)
        }
    }

    func testLonePointBetweenGapsIsADotAndAllNilDrawsNothing() throws {
        let chart = LineChart(
            title: "MAE", xLabel: "Epoch", yLabel: "MAE (Gy)",
            series: [
                .init(
                    name: "sparse", points: [.init(x: 1, y: nil), .init(x: 2, y: 3.5), .init(x: 3, y: .nan)],
                    colour: ChartPalette.blue),
                .init(name: "empty", points: [.init(x: 1, y: nil)], colour: ChartPalette.black),
            ])
        let svg = try renderedSVG(chart)
        let sparse = svg.all.filter { $0.attribute("data-series") == "sparse" }
        XCTAssertEqual(sparse.map(\.name), ["circle"])
        XCTAssertEqual(sparse.first?.numbers("data-y"), [3.5])
        XCTAssertTrue(svg.all.filter { $0.attribute("data-series") == "empty" }.isEmpty)
    }

    func testDVHLegendNamesStructuresAndStylesAndAxisIsFixed() throws {
        let structures = ["PTV70", "Rectum"]
        let series = structures.enumerated().flatMap { index, name in
            [false, true].map { dashed in
                LineChart.Series(
                    name: "\(name) \(dashed ? "prediction" : "reference")",
                    points: [.init(x: 0, y: 100), .init(x: 70, y: 0)],
                    colour: ChartPalette.structureColour(name, index: index), dashed: dashed)
            }
        }
        let legend = ChartLegend(
            structures.enumerated().map {
                .init($1, colour: ChartPalette.structureColour($1, index: $0), symbol: .swatch)
            }
                + [
                    .init("reference", colour: ChartPalette.text, symbol: .line(dashed: false)),
                    .init("prediction", colour: ChartPalette.text, symbol: .line(dashed: true)),
                ])
        let svg = try renderedSVG(
            LineChart(
                title: "DVH", xLabel: "Dose (Gy)", yLabel: "Volume (%)", series: series, yRange: 0...100, legend: legend
            ))
        XCTAssertEqual(
            svg.all.compactMap { $0.attribute("data-legend") }, ["PTV70", "Rectum", "reference", "prediction"])
        let yTicks = svg.all.filter { $0.attribute("data-tick") != nil && $0.attribute("class") == "tick" }
        XCTAssertEqual(Array(yTicks.compactMap { $0.number("data-tick") }.prefix(6)), [0, 20, 40, 60, 80, 100])
        let dashed = svg.all.filter { $0.name == "polyline" && $0.attribute("stroke-dasharray") != nil }
        XCTAssertEqual(dashed.compactMap { $0.attribute("data-series") }, ["PTV70 prediction", "Rectum prediction"])
        XCTAssertTrue(svg.all.contains { $0.name == "text" && $0.textContent == "Volume (%)" })
    }

    func testOneSeriesHasNoLegendTwoHaveOne() throws {
        let one = LineChart(
            title: "MAE", xLabel: "Epoch", yLabel: "MAE (Gy)",
            series: [.init(name: "val", points: [.init(x: 1, y: 2), .init(x: 2, y: 1)], colour: ChartPalette.blue)])
        XCTAssertTrue(try renderedSVG(one).marks("legend").isEmpty)
        XCTAssertEqual(try renderedSVG(losses).marks("legend").count, 1)
    }
}

/// Vertical lines and shaded ranges keep their values, are drawn where the x axis says, and widen
/// the axis to include them.
final class LineChartGuideTests: XCTestCase {
    func testVerticalLinesAndShadedRangesSitWhereTheAxisSays() throws {
        let chart = LineChart(
            title: "CT", xLabel: "value", yLabel: "%",
            series: [.init(name: "ct", points: [.init(x: 0.4, y: 1), .init(x: 0.6, y: 3)], colour: ChartPalette.blue)],
            verticalLines: [.init(x: 0.506, label: "raw air")], shadedRanges: [.init(0.25...1.25, label: "expected")])
        let svg = try renderedSVG(chart)
        let readX = try axisReading(svg, "x")
        let line = try XCTUnwrap(svg.marks("vertical").first)
        XCTAssertEqual(line.number("data-x"), 0.506)
        XCTAssertEqual(line.attribute("data-label"), "raw air")
        XCTAssertEqual(readX(try XCTUnwrap(line.number("x1"))), 0.506, accuracy: 0.005)
        XCTAssertEqual(line.number("x1"), line.number("x2"))
        let band = try XCTUnwrap(svg.marks("shaded-range").first)
        XCTAssertEqual([band.number("data-low"), band.number("data-high")], [0.25, 1.25])
        let left = try XCTUnwrap(band.number("x")), width = try XCTUnwrap(band.number("width"))
        XCTAssertEqual(readX(left), 0.25, accuracy: 0.005)
        XCTAssertEqual(readX(left + width), 1.25, accuracy: 0.005, "the axis grew to hold the band beyond the data (0.4–0.6)")
        // The band lies under the data: it comes before the series' polyline in the document.
        let order = svg.all.compactMap { $0.attribute("class") ?? ($0.name == "polyline" ? "polyline" : nil) }
        XCTAssertLessThan(try XCTUnwrap(order.firstIndex(of: "shaded-range")), try XCTUnwrap(order.firstIndex(of: "polyline")))
    }
}

import DoseCase
import Foundation
import Reports
import XCTest

/// The colourwash, difference and gamma figures: self-contained well-formed SVG with the panels
/// embedded as PNG, a composite PNG with the panels where the SVG puts them, overlays drawn only
/// where they should be, and grids that do not match refused.
final class SliceFiguresTests: XCTestCase {
    private let shape = VolumeShape(rows: 24, columns: 24, slices: 16)
    private let spacing = [1.0, 1, 2]
    private let centre = VoxelIndex(row: 12, column: 12, slice: 8)

    private func volume(_ value: (Int, Int, Int) -> Float) throws -> Volume<Float> {
        var elements = [Float](repeating: 0, count: shape.voxelCount)
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                for slice in 0..<shape.slices { elements[shape.offset(row: row, column: column, slice: slice)] = value(row, column, slice) }
            }
        }
        return try Volume(shape: shape, elements: elements)
    }

    /// Soft tissue (40 HU) inside a cylinder, air outside, in the case format's CT units.
    private func ct() throws -> Volume<Float> {
        try volume { row, column, _ in
            let inside = (row - 12) * (row - 12) + (column - 12) * (column - 12) < 100
            return Float((inside ? 40.0 : -1000) / 4000 + 0.5)
        }
    }

    /// 70 Gy at the centre falling off to ~0 at the edges.
    private func dose(shiftGy: Float = 0) throws -> Volume<Float> {
        try volume { row, column, slice in
            let distance = Float((row - 12) * (row - 12) + (column - 12) * (column - 12) + 4 * (slice - 8) * (slice - 8))
            return 70 * exp(-distance / 60) + shiftGy
        }
    }

    private struct Panel {
        let title: String
        let x: Int, y: Int, width: Int, height: Int
        let png: [UInt8]

        /// Decoded by Python's zlib, and the size the SVG gives it.
        func image() throws -> DecodedPNG {
            let decoded = try DecodedPNG.decode(png)
            XCTAssertEqual([decoded.width, decoded.height], [width, height], title)
            return decoded
        }
    }

    /// Each `<image>`: its position and size, the title drawn above it, its PNG.
    private func panels(_ figure: ImageFigure) throws -> [Panel] {
        try figure.svg.descendants(named: "g").filter { $0.attribute("class") == "slice-panel" }.map { group in
            let image = try XCTUnwrap(group.descendants(named: "image").first)
            let href = try XCTUnwrap(image.attribute("href"))
            XCTAssertTrue(href.hasPrefix("data:image/png;base64,"))
            let png = try XCTUnwrap(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))))
            let number = { (name: String) in Int(image.attribute(name) ?? "") ?? -1 }
            return Panel(title: group.descendants(named: "text").first?.textContent ?? "", x: number("x"), y: number("y"),
                         width: number("width"), height: number("height"), png: [UInt8](png))
        }
    }

    /// Well-formed, no reference outside the file (the SVG namespace is a name, not a fetch).
    private func checkSelfContained(_ figure: ImageFigure, images: Int) throws {
        let bytes = try MarkupDocument.svg(figure.svg)
        try MarkupDocument.checkWellFormed(bytes, name: "figure.svg")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertEqual(text.components(separatedBy: "http").count - 1, 1)
        XCTAssertTrue(text.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertEqual(figure.svg.descendants(named: "image").count, images)
        XCTAssertEqual(figure.svg.attribute("font-family"), "sans-serif")
    }

    func testColourwashIsSelfContainedWithPredictionAboveReference() throws {
        let figure = try SliceFigures.colourwash(ct: try ct(), referenceGy: try dose(), predictionGy: try dose(shiftGy: 1),
                                                 spacingMM: spacing, through: centre)
        try checkSelfContained(figure, images: 6)
        let drawn = try panels(figure)
        XCTAssertEqual(drawn.map(\.title), ["Prediction — axial", "Prediction — coronal", "Prediction — sagittal",
                                            "Reference — axial", "Reference — coronal", "Reference — sagittal"])
        XCTAssertTrue(drawn[0..<3].allSatisfy { $0.y < drawn[3].y }, "prediction row above reference row")
        XCTAssertEqual(drawn.map(\.x)[0..<3], drawn.map(\.x)[3..<6])
        for panel in drawn { _ = try panel.image() }
        let letters = figure.svg.descendants(named: "text").filter { $0.attribute("class") == "orientation" }.map(\.textContent)
        XCTAssertEqual(letters.prefix(12), ["R", "L", "A", "P", "R", "L", "S", "I", "A", "P", "S", "I"])
        let caption = figure.svg.textContent
        XCTAssertTrue(caption.contains("voxel (row 12, column 12, slice 8) = (12, 12, 16) mm"), caption)
        XCTAssertTrue(caption.contains("W 400 / L 40 HU"), caption)
        XCTAssertTrue(caption.contains("Dose (Gy)"), caption)
    }

    /// The composite PNG is the SVG's size and holds each panel at the SVG's position.
    func testFigurePNGHoldsThePanelsWhereTheSVGDrawsThem() throws {
        let figure = try SliceFigures.colourwash(ct: try ct(), referenceGy: try dose(), predictionGy: try dose(shiftGy: 1),
                                                 spacingMM: spacing, through: centre)
        let composite = try DecodedPNG.decode(figure.png)
        XCTAssertEqual([composite.width, composite.height], [figure.width, figure.height])
        XCTAssertEqual(figure.svg.attribute("width"), "\(figure.width)")
        let drawn = try panels(figure)
        for panel in [drawn[1], drawn[5]] {
            let image = try panel.image()
            for (x, y) in [(0, 0), (image.width / 2, image.height / 3), (image.width - 1, image.height - 1)] {
                XCTAssertTrue(composite.rgb(x: panel.x + x, y: panel.y + y) == image.rgb(x: x, y: y), "\(panel.title) at \(x), \(y)")
            }
        }
    }

    /// Dose below the threshold is not drawn (no CT: black shows); above it, colour. The dose is
    /// high only on the patient's left, so the colour is on the image's right of the axial panel.
    func testColourwashDrawsDoseOnlyAboveThresholdAndTheOutline() throws {
        let leftHigh = try volume { _, column, _ in column >= 12 ? 40 : 2 }
        var maskElements = [UInt8](repeating: 0, count: shape.voxelCount)
        for row in 8..<16 { for column in 14..<20 { for slice in 4..<12 { maskElements[shape.offset(row: row, column: column, slice: slice)] = 1 } } }
        let figure = try SliceFigures.colourwash(ct: nil, referenceGy: leftHigh, predictionGy: leftHigh, spacingMM: spacing, through: centre,
                                                 outline: try Volume(shape: shape, elements: maskElements))
        let axial = try panels(figure)[0].image()
        XCTAssertTrue(axial.rgb(x: 2, y: axial.height / 2) == (0, 0, 0), "2 Gy is below 5 Gy: nothing drawn")
        let coloured = axial.rgb(x: axial.width - 3, y: axial.height / 2)
        XCTAssertTrue(coloured != (0, 0, 0), "40 Gy on the patient's left is drawn on the image's right")
        var outlinePixels = 0
        for y in 0..<axial.height { for x in 0..<axial.width where axial.rgb(x: x, y: y) == (0xFF, 0x2D, 0x2D) { outlinePixels += 1 } }
        XCTAssertGreaterThan(outlinePixels, 40)
    }

    func testDoseInStoredUnitsIsScaledToGy() throws {
        let normalised = try volume { _, _, _ in 0.5 }
        let figure = try SliceFigures.colourwash(ct: nil, referenceGy: normalised, predictionGy: normalised, gyPerDoseUnit: 70,
                                                 spacingMM: spacing, through: centre)
        let ticks = figure.svg.descendants(named: "g").filter { $0.attribute("class") == "colour-bar" }.flatMap { $0.descendants(named: "text") }
        XCTAssertEqual(ticks.last?.textContent, "Dose (Gy)")
        XCTAssertEqual(ticks.map(\.textContent), ["5", "10", "20", "30", "40", "Dose (Gy)"], "35 Gy everywhere: a 5…40 Gy bar")
        XCTAssertTrue(try panels(figure)[0].image().rgb(x: 5, y: 5) != (0, 0, 0), "35 Gy everywhere is drawn")
    }

    func testDifferenceIsSymmetricAroundZeroAndRedWherePredictionIsHigher() throws {
        let reference = try dose()
        let higher = try volume { row, column, slice in reference[row, column, slice] + (column >= 12 ? 3 : 0) }
        let figure = try SliceFigures.difference(ct: try ct(), referenceGy: reference, predictionGy: higher, spacingMM: spacing, through: centre)
        try checkSelfContained(figure, images: 3)
        let labels = figure.svg.descendants(named: "g").filter { $0.attribute("class") == "colour-bar" }
            .flatMap { $0.descendants(named: "text") }.map(\.textContent)
        XCTAssertEqual(labels.first, "-3")
        XCTAssertEqual(labels, ["-3", "-2", "0", "2", "3", "Prediction − reference (Gy)"])
        let axial = try panels(figure)[0].image()
        let (red, _, blue) = axial.rgb(x: axial.width / 2 + axial.width / 10, y: axial.height / 2)
        XCTAssertGreaterThan(red, blue + 25, "prediction 3 Gy higher on the patient's left")
        let (leftRed, leftGreen, leftBlue) = axial.rgb(x: axial.width / 2 - axial.width / 10, y: axial.height / 2)
        XCTAssertLessThan(max(abs(leftRed - leftGreen), abs(leftGreen - leftBlue)), 8, "no difference: white over grey")
    }

    func testGammaLeavesNotEvaluatedVoxelsClearAndShowsFailuresRed() throws {
        let gamma = try volume { row, column, slice in
            abs(row - 12) <= 1 && column >= 18 && column <= 20 && abs(slice - 8) <= 1 ? 2 : (column < 6 ? 0.3 : .nan)
        }
        let ctVolume = try ct()
        let figure = try SliceFigures.gamma(ct: ctVolume, gamma: gamma, spacingMM: spacing, through: centre)
        try checkSelfContained(figure, images: 3)
        let axial = try panels(figure)[0].image()
        let tissue = ColourScale.softTissueCT.colour(of: 40)
        let middle = axial.rgb(x: axial.width / 2, y: axial.height / 2)
        for (drawn, expected) in [(middle.0, tissue.red), (middle.1, tissue.green), (middle.2, tissue.blue)] {
            XCTAssertEqual(drawn, Int(expected), accuracy: 1, "NaN: the CT shows unchanged")
        }
        let failing = axial.rgb(x: axial.width * 19 / 24, y: axial.height / 2)
        XCTAssertGreaterThan(failing.0, failing.2 + 40, "γ = 2 on the patient's left, drawn red on the image's right")
        let passing = axial.rgb(x: axial.width * 3 / 24, y: axial.height / 2)
        XCTAssertGreaterThan(passing.2, passing.0, "γ = 0.3 is blue")
    }

    func testGammaOnADecimatedGridIsRefused() throws {
        let decimated = try Volume<Float>(shape: VolumeShape(rows: 12, columns: 12, slices: 8), elements: [Float](repeating: 0.5, count: 12 * 12 * 8))
        XCTAssertThrowsError(try SliceFigures.gamma(ct: try ct(), gamma: decimated, spacingMM: spacing, through: centre)) {
            XCTAssertEqual($0 as? ImageError, .gridMismatch(volume: "gamma", expected: self.shape, found: decimated.shape))
        }
    }

    func testBadParametersAreRefused() throws {
        let reference = try dose()
        XCTAssertThrowsError(try SliceFigures.colourwash(ct: nil, referenceGy: reference, predictionGy: reference, spacingMM: spacing,
                                                         through: centre, thresholdGy: -1)) {
            XCTAssertEqual(($0 as? ImageError)?.code, "image.parameter")
        }
        XCTAssertThrowsError(try SliceFigures.colourwash(ct: nil, referenceGy: reference, predictionGy: reference, spacingMM: spacing,
                                                         through: centre, maxGy: 3)) {
            XCTAssertEqual(($0 as? ImageError)?.code, "image.parameter", "a maximum below the 5 Gy threshold")
        }
        XCTAssertThrowsError(try SliceFigures.difference(ct: nil, referenceGy: reference, predictionGy: reference, spacingMM: spacing,
                                                         through: VoxelIndex(row: 12, column: 12, slice: 16))) {
            XCTAssertEqual(($0 as? ImageError)?.code, "image.voxel_outside_grid")
        }
    }
}

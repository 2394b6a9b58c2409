import Foundation
import Reports
import XCTest

/// The colour maps are the documented ones: viridis for dose (lighter = more dose), blue–white–red
/// centred on 0 for differences, a hue jump at γ = 1, and the soft-tissue CT window.
final class ColourMapTests: XCTestCase {
    /// CIE L* (D65) of an sRGB colour: perceived lightness, 0 black … 100 white.
    private func lightness(_ colour: RGBColour) -> Double {
        func linear(_ byte: UInt8) -> Double {
            let value = Double(byte) / 255
            return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
        }
        let luminance = 0.2126 * linear(colour.red) + 0.7152 * linear(colour.green) + 0.0722 * linear(colour.blue)
        return luminance > 216.0 / 24389 ? 116 * cbrt(luminance) - 16 : luminance * 24389 / 27
    }

    func testDoseMapIsViridisAndRisesInLightness() {
        let stops = ColourMap.dose.stops
        XCTAssertEqual(stops.map(\.hex), ["#440154", "#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70",
                                          "#7ad151", "#bddf26", "#fde725"])
        XCTAssertEqual(stops.map(\.fraction), (0...10).map { Double($0) / 10 })
        let samples = (0...100).map { lightness(ColourMap.dose.colour(at: Double($0) / 100)) }
        for (lower, higher) in zip(samples, samples.dropFirst()) { XCTAssertLessThan(lower, higher) }
    }

    func testDifferenceMapIsWhiteAtZeroBlueBelowRedAbove() throws {
        let scale = try ColourScale(map: .difference, lower: -10, upper: 10, label: "Gy")
        XCTAssertEqual(scale.colour(of: 0), .white)
        for negative in [-10.0, -5, -2] {
            let colour = scale.colour(of: negative)
            XCTAssertGreaterThan(Int(colour.blue), Int(colour.red) + 25, "\(negative) Gy: \(colour.hex)")
        }
        for positive in [2.0, 5, 10] {
            let colour = scale.colour(of: positive)
            XCTAssertGreaterThan(Int(colour.red), Int(colour.blue) + 25, "\(positive) Gy: \(colour.hex)")
        }
        // Symmetric: equal distances from 0 are equally light.
        XCTAssertEqual(lightness(scale.colour(of: -5)), lightness(scale.colour(of: 5)), accuracy: 8)
    }

    func testGammaMapJumpsFromBlueToOrangeAboveOne() throws {
        let scale = try ColourScale(map: .gamma, lower: 0, upper: 2, label: "γ")
        for passing in [0.0, 0.5, 0.99, 1.0] {
            let colour = scale.colour(of: passing)
            XCTAssertGreaterThan(colour.blue, colour.red, "γ \(passing): \(colour.hex)")
        }
        for failing in [1.001, 1.5, 2, 7] {
            let colour = scale.colour(of: failing)
            XCTAssertGreaterThan(colour.red, colour.blue, "γ \(failing): \(colour.hex)")
        }
        XCTAssertEqual(scale.colour(of: 7), scale.colour(of: 2), "beyond the range the end colour holds")
        XCTAssertEqual(ColourMap.gamma.colour(at: .nan), ColourMap.gamma.stops[0].colour)
    }

    func testSoftTissueWindowMapsHounsfieldUnitsToGrey() {
        let window = ColourScale.softTissueCT
        XCTAssertEqual(window.colour(of: -160), .black)
        XCTAssertEqual(window.colour(of: -1000), .black)
        XCTAssertEqual(window.colour(of: 240), .white)
        XCTAssertEqual(window.colour(of: 40), RGBColour(red: 128, green: 128, blue: 128))
        XCTAssertEqual(CTUnits.pipeline.hounsfield(0.5), 0, accuracy: 1e-6)
        XCTAssertEqual(CTUnits.pipeline.hounsfield(0.51), 40, accuracy: 1e-3)
        XCTAssertEqual(CTUnits.hounsfield.hounsfield(-700), -700)
    }

    func testEmptyOrReversedRangeIsRefused() {
        XCTAssertThrowsError(try ColourScale(map: .dose, lower: 5, upper: 5, label: "Dose (Gy)")) { error in
            XCTAssertEqual((error as? ImageError)?.code, "image.parameter")
        }
        XCTAssertThrowsError(try ColourScale(map: .dose, lower: 0, upper: .infinity, label: "Dose (Gy)")) { error in
            XCTAssertEqual((error as? ImageError)?.code, "image.parameter")
        }
    }
}

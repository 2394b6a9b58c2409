import Reports
import XCTest

/// Structure colours stay fixed and distinct; tints mix with white.
final class ChartPaletteTests: XCTestCase {
    func testEachProstateStructureHasItsOwnOkabeItoColour() {
        let structures = ["PTV70", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel", "PTV56", "PTV50.4"]
        let colours = structures.enumerated().map { ChartPalette.structureColour($1, index: $0) }
        XCTAssertEqual(Set(colours), Set(ChartPalette.categorical))
        XCTAssertEqual(
            ChartPalette.structureColour("PTV70", index: 5), ChartPalette.vermillion, "fixed whatever the order")
        XCTAssertFalse(colours.contains(ChartPalette.structureColour("Prostate", index: 2)), "the prostate is not mistaken for a PTV")
        XCTAssertEqual(ChartPalette.structureColour("Seminal_vesicles", index: 9), ChartPalette.colour(at: 1))
    }

    func testTintMixesWithWhite() {
        XCTAssertEqual(ChartPalette.tint(ChartPalette.blue, 0), "#FFFFFF")
        XCTAssertEqual(ChartPalette.tint(ChartPalette.blue, 1), ChartPalette.blue)
        XCTAssertEqual(ChartPalette.tint("#000000", 0.5), "#808080")
        XCTAssertEqual(ChartPalette.tint("red", 0.5), "red")
    }
}

import DoseCase
import Reports
import XCTest

/// The viewer's downsampling rule (docs/viewer.md): at most 320 voxels an axis and 256³ in all,
/// by whole factors, coarsening the finer axis first.
final class ViewerGridTests: XCTestCase {
    func testPipelineGridsAreShownAsTheyAreOrHalvedInPlane() throws {
        let current = try ViewerGrid(caseShape: VolumeShape(rows: 300, columns: 300, slices: 144), caseSpacingMM: [1, 1, 2.5])
        XCTAssertFalse(current.isDownsampled)
        XCTAssertEqual(current.shape, VolumeShape(rows: 300, columns: 300, slices: 144))
        XCTAssertEqual(current.spacingMM, [1, 1, 2.5])

        let legacy = try ViewerGrid(caseShape: VolumeShape(rows: 512, columns: 512, slices: 256), caseSpacingMM: [1, 1, 2])
        XCTAssertEqual(legacy.factors, [2, 2, 1])
        XCTAssertEqual(legacy.shape, VolumeShape(rows: 256, columns: 256, slices: 256))
        XCTAssertEqual(legacy.spacingMM, [2, 2, 2])
    }

    func testTheTotalIsCappedByCoarseningTheFinerAxis() throws {
        // 600³ at 0.5 mm: 320 an axis gives factors 2 (300³ = 27 M voxels, too many); in-plane and
        // slices are then equally fine, so in-plane goes first: 200 × 200 × 300.
        let grid = try ViewerGrid(caseShape: VolumeShape(rows: 600, columns: 600, slices: 600), caseSpacingMM: [0.5, 0.5, 0.5])
        XCTAssertEqual(grid.factors, [3, 3, 2])
        XCTAssertEqual(grid.shape, VolumeShape(rows: 200, columns: 200, slices: 300))
        XCTAssertLessThanOrEqual(grid.shape.voxelCount, ViewerGrid.maximumVoxels)
        // A short last block still counts as a shown voxel: 321 columns → 161.
        XCTAssertEqual(try ViewerGrid(caseShape: VolumeShape(rows: 10, columns: 321, slices: 5), caseSpacingMM: [1, 1, 1]).shape.columns, 161)
    }

    func testBadSpacingIsRefused() {
        XCTAssertThrowsError(try ViewerGrid(caseShape: VolumeShape(rows: 2, columns: 2, slices: 2), caseSpacingMM: [1, 0, 2])) { error in
            XCTAssertEqual(error as? ImageError, .invalidSpacing([1, 0, 2]))
        }
    }
}

import DoseCase
import Dosimetry
import XCTest

/// The air around the patient: air that reaches a face of the volume through air, face to face.
final class ExternalAirTests: XCTestCase {
    /// CT in the case format's scale: −1000 HU is 0.25, 0 HU (water) is 0.5.
    private static let air: Float = 0.25, tissue: Float = 0.5

    /// A 7×8×6 volume: tissue in rows 1…5, columns 1…6, slices 1…4, air elsewhere; inside it a
    /// gas pocket at (3, 3, 2), and a second pocket at (3, 5, 2) joined to the left face (column
    /// 7) by a one-voxel air channel, and a voxel of −499 HU (not air) at (1, 2, 0) on a face.
    private func phantom() throws -> (Volume<Float>, VolumeShape) {
        let shape = VolumeShape(rows: 7, columns: 8, slices: 6)
        var ct = [Float](repeating: Self.air, count: shape.voxelCount)
        for row in 1...5 { for column in 1...6 { for slice in 1...4 { ct[shape.offset(row: row, column: column, slice: slice)] = Self.tissue } } }
        ct[shape.offset(row: 3, column: 3, slice: 2)] = Self.air
        ct[shape.offset(row: 3, column: 5, slice: 2)] = Self.air
        ct[shape.offset(row: 3, column: 6, slice: 2)] = Self.air
        ct[shape.offset(row: 1, column: 2, slice: 0)] = -499 / 4000 + 0.5
        return (try Volume(shape: shape, elements: ct), shape)
    }

    func testAirReachingAFaceIsOutsideAndGasInsideIsNot() throws {
        let (ct, shape) = try phantom()
        let outside = ExternalAir.mask(normalizedCT: ct)
        XCTAssertFalse(outside[shape.offset(row: 3, column: 3, slice: 2)], "an enclosed gas pocket is inside the patient")
        XCTAssertTrue(outside[shape.offset(row: 3, column: 5, slice: 2)], "a pocket joined to the outside through air is outside")
        XCTAssertTrue(outside[shape.offset(row: 3, column: 6, slice: 2)])
        XCTAssertFalse(outside[shape.offset(row: 1, column: 2, slice: 0)], "−499 HU is above the threshold")
        XCTAssertTrue(outside[shape.offset(row: 0, column: 0, slice: 0)])
        XCTAssertTrue(outside[shape.offset(row: 3, column: 3, slice: 0)], "air beside the body along the slices")
        // Every voxel but the tissue block, the enclosed pocket and the −499 HU voxel.
        XCTAssertEqual(outside.filter { $0 }.count, shape.voxelCount - 5 * 6 * 4 + 2 - 1)
    }

    func testTissueTouchingEveryFaceLeavesNoOutside() throws {
        let shape = VolumeShape(rows: 4, columns: 4, slices: 4)
        var ct = [Float](repeating: Self.tissue, count: shape.voxelCount)
        ct[shape.offset(row: 1, column: 2, slice: 2)] = Self.air
        ct[shape.offset(row: 2, column: 1, slice: 1)] = .nan
        let outside = ExternalAir.mask(normalizedCT: try Volume(shape: shape, elements: ct))
        XCTAssertEqual(outside.filter { $0 }.count, 0)
    }
}

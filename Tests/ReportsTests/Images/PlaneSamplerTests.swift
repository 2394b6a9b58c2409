import DoseCase
import Reports
import XCTest

/// Display orientation (radiological: patient left on image right, anterior up in axial views,
/// superior up in coronal and sagittal) and physical aspect ratio of resampled planes.
final class PlaneSamplerTests: XCTestCase {
    private let shape = VolumeShape(rows: 20, columns: 20, slices: 20)
    private let centre = VoxelIndex(row: 10, column: 10, slice: 10)

    /// A 20³ zero volume with a 3³ bright block centred on `row`, `column`, `slice`.
    private func marker(row: Int, column: Int, slice: Int) throws -> Volume<Float> {
        var elements = [Float](repeating: 0, count: shape.voxelCount)
        for r in (row - 1)...(row + 1) {
            for c in (column - 1)...(column + 1) {
                for s in (slice - 1)...(slice + 1) { elements[shape.offset(row: r, column: c, slice: s)] = 100 }
            }
        }
        return try Volume(shape: shape, elements: elements)
    }

    /// The bright pixels' mean position as fractions of the panel's width and height (0 = left / top).
    private func brightCentre(_ volume: Volume<Float>, plane: SlicePlane, through voxel: VoxelIndex) throws -> (x: Double, y: Double) {
        let sampler = try PlaneSampler(plane: plane, shape: shape, spacingMM: [1, 1, 2], through: voxel, pixelMM: 0.5)
        let slice = try sampler.bilinear(volume, name: "marker")
        var (sumX, sumY, count) = (0.0, 0.0, 0.0)
        for y in 0..<slice.height { for x in 0..<slice.width where slice[x: x, y: y] > 50 { sumX += Double(x); sumY += Double(y); count += 1 } }
        XCTAssertGreaterThan(count, 0, "marker not in the \(plane) plane")
        return ((sumX / count + 0.5) / Double(slice.width), (sumY / count + 0.5) / Double(slice.height))
    }

    func testPatientLeftIsOnTheImageRightInAxialAndCoronal() throws {
        let left = try marker(row: 10, column: 16, slice: 10)
        XCTAssertGreaterThan(try brightCentre(left, plane: .axial, through: centre).x, 0.7)
        XCTAssertGreaterThan(try brightCentre(left, plane: .coronal, through: centre).x, 0.7)
        let right = try marker(row: 10, column: 3, slice: 10)
        XCTAssertLessThan(try brightCentre(right, plane: .axial, through: centre).x, 0.3)
    }

    func testSuperiorIsUpInCoronalAndSagittal() throws {
        let superior = try marker(row: 10, column: 10, slice: 16)
        XCTAssertLessThan(try brightCentre(superior, plane: .coronal, through: centre).y, 0.3)
        XCTAssertLessThan(try brightCentre(superior, plane: .sagittal, through: centre).y, 0.3)
        let inferior = try marker(row: 10, column: 10, slice: 3)
        XCTAssertGreaterThan(try brightCentre(inferior, plane: .sagittal, through: centre).y, 0.7)
    }

    func testAnteriorIsAtTheTopOfAxialAndOnTheLeftOfSagittal() throws {
        let anterior = try marker(row: 3, column: 10, slice: 10)
        XCTAssertLessThan(try brightCentre(anterior, plane: .axial, through: centre).y, 0.3)
        XCTAssertLessThan(try brightCentre(anterior, plane: .sagittal, through: centre).x, 0.3)
    }

    func testEdgeLettersFollowTheRadiologicalConvention() {
        XCTAssertTrue(SlicePlane.axial.edgeLetters == ("R", "L", "A", "P"))
        XCTAssertTrue(SlicePlane.coronal.edgeLetters == ("R", "L", "S", "I"))
        XCTAssertTrue(SlicePlane.sagittal.edgeLetters == ("A", "P", "S", "I"))
    }

    /// 1 × 1 × 3 mm voxels: a slice is three times as tall as a column is wide.
    func testAnisotropicSpacingKeepsThePhysicalAspectRatio() throws {
        let grid = VolumeShape(rows: 10, columns: 10, slices: 10)
        let spacing = [1.0, 1, 3]
        let sizes = try SlicePlane.allCases.map { plane in
            let sampler = try PlaneSampler(plane: plane, shape: grid, spacingMM: spacing, through: VoxelIndex(row: 5, column: 5, slice: 5), pixelMM: 1)
            return [sampler.width, sampler.height]
        }
        XCTAssertEqual(sizes, [[10, 10], [10, 30], [10, 30]])
        // The figures' own pixel size (finer, for a small grid) keeps the same ratio.
        let pixelMM = try PlaneSampler.pixelMM(shape: grid, spacingMM: spacing)
        let coronal = try PlaneSampler(plane: .coronal, shape: grid, spacingMM: spacing, through: VoxelIndex(row: 5, column: 5, slice: 5), pixelMM: pixelMM)
        XCTAssertEqual(Double(coronal.height) / Double(coronal.width), 3, accuracy: 0.05)
        XCTAssertGreaterThanOrEqual(coronal.height, 256)
    }

    /// Bilinear between voxel centres, the edge value beyond them; nearest for masks.
    func testSamplingInterpolatesBetweenVoxelCentres() throws {
        let grid = VolumeShape(rows: 1, columns: 4, slices: 1)
        let ramp = try Volume<Float>(shape: grid, elements: [0, 10, 20, 30])
        let sampler = try PlaneSampler(plane: .axial, shape: grid, spacingMM: [1, 1, 1], through: VoxelIndex(row: 0, column: 0, slice: 0), pixelMM: 0.5)
        // One 1 mm row is two 0.5 mm display rows.
        let ramped: [Float] = [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]
        XCTAssertEqual(try sampler.bilinear(ramp, name: "ramp").values, ramped + ramped)
        let mask = try Volume<UInt8>(shape: grid, elements: [0, 1, 1, 0])
        let masked: [UInt8] = [0, 0, 1, 1, 1, 1, 0, 0]
        XCTAssertEqual(try sampler.nearest(mask, name: "mask").values, masked + masked)
    }

    func testBadInputIsRefusedWithTypedErrors() throws {
        XCTAssertThrowsError(try PlaneSampler(plane: .axial, shape: shape, spacingMM: [1, 1, 2], through: VoxelIndex(row: 0, column: 20, slice: 0), pixelMM: 1)) {
            XCTAssertEqual($0 as? ImageError, .voxelOutsideGrid(voxel: VoxelIndex(row: 0, column: 20, slice: 0), shape: self.shape))
        }
        XCTAssertThrowsError(try PlaneSampler(plane: .axial, shape: shape, spacingMM: [1, 0, 2], through: centre, pixelMM: 1)) {
            XCTAssertEqual($0 as? ImageError, .invalidSpacing([1, 0, 2]))
        }
        XCTAssertThrowsError(try PlaneSampler(plane: .axial, shape: shape, spacingMM: [1, 1, 2], through: centre, pixelMM: .nan)) {
            XCTAssertEqual(($0 as? ImageError)?.code, "image.parameter")
        }
        let sampler = try PlaneSampler(plane: .axial, shape: shape, spacingMM: [1, 1, 2], through: centre, pixelMM: 1)
        let other = try Volume<Float>(shape: VolumeShape(rows: 2, columns: 2, slices: 2), elements: [Float](repeating: 0, count: 8))
        XCTAssertThrowsError(try sampler.bilinear(other, name: "dose")) {
            XCTAssertEqual($0 as? ImageError, .gridMismatch(volume: "dose", expected: self.shape, found: other.shape))
        }
    }
}

/// `position` is the inverse of sampling: a voxel centre lands on the pixel that samples that voxel.
final class PlaneSamplerPositionTests: XCTestCase {
    func testAVoxelCentreLandsOnThePixelThatSamplesIt() throws {
        let shape = VolumeShape(rows: 9, columns: 11, slices: 7)
        var elements = [Int32](repeating: 0, count: shape.voxelCount)
        for index in elements.indices { elements[index] = Int32(index) }
        let volume = try Volume(shape: shape, elements: elements)
        for plane in SlicePlane.allCases {
            let sampler = try PlaneSampler(plane: plane, shape: shape, spacingMM: [1, 1.5, 3], through: VoxelIndex(row: 4, column: 5, slice: 3),
                                           pixelMM: 0.5)
            let slice = try sampler.nearest(volume, name: "index")
            for (row, column, slice3) in [(0, 0, 0), (8, 10, 6), (2, 7, 5), (4, 5, 3)] {
                let (x, y) = sampler.position(row: Double(row), column: Double(column), slice: Double(slice3))
                let fixed = [4, 5, 3]
                var voxel = [row, column, slice3]
                voxel[plane.fixedAxis] = fixed[plane.fixedAxis]
                XCTAssertEqual(slice[x: Int(x), y: Int(y)], Int32(shape.offset(row: voxel[0], column: voxel[1], slice: voxel[2])), "\(plane) \(voxel)")
            }
        }
    }
}

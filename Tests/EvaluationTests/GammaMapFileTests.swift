import DoseCase
import Dosimetry
@testable import Evaluation
import Foundation
import Lineage
import SharedCohort
import XCTest

/// A saved gamma map (`evaluate --save-gamma`): the map's own values on the reference's full grid,
/// NaN where γ was not evaluated, read back only while its bytes hash to what the record lists,
/// and a file NumPy reads.
final class GammaMapFileTests: XCTestCase {
    private var work: URL!
    private var workspace: Workspace!

    override func setUp() async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-gamma-map-\(UUID().uuidString)")
        workspace = try Workspace(path: work.path, create: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// A 9×8×7 dose blob and a shifted, scaled copy: some voxels below the cutoff, some failing.
    private func doses() throws -> (reference: Volume<Float>, evaluation: Volume<Float>) {
        let shape = VolumeShape(rows: 9, columns: 8, slices: 7)
        func blob(_ shift: Float, _ scale: Float) -> [Float] {
            (0..<shape.voxelCount).map { index in
                let row = Float(index / (shape.columns * shape.slices)), column = Float(index / shape.slices % shape.columns)
                let slice = Float(index % shape.slices)
                let distance = (row - 4 - shift) * (row - 4 - shift) + (column - 3.5) * (column - 3.5) + (slice - 3) * (slice - 3)
                return scale * 60 * exp(-distance / 8)
            }
        }
        return (try Volume(shape: shape, elements: blob(0, 1)), try Volume(shape: shape, elements: blob(0.8, 1.06)))
    }

    private func write(_ map: GammaMap, grid: VolumeShape, caseId: String = "case_0001") throws -> GammaMapFile {
        let path = GammaMapFile.path(caseId: caseId, recordHash: String(repeating: "ab", count: 32))
        try FileManager.default.createDirectory(atPath: workspace.file((path as NSString).deletingLastPathComponent), withIntermediateDirectories: true)
        return GammaMapFile(caseId: caseId, path: path, sha256: try GammaMapFile.write(map, grid: grid, to: workspace.file(path)))
    }

    func testFullResolutionMapReadsBackBitForBit() throws {
        let (reference, evaluation) = try doses()
        let map = try GammaIndex.compute(reference: reference, evaluation: evaluation, spacingMM: [2, 2, 2.5])
        XCTAssertTrue(map.values.contains { $0.isNaN } && map.values.contains { $0 > 1 } && map.values.contains { $0 <= 1 },
                      "the fixture must have unevaluated, failing and passing voxels")
        let saved = try write(map, grid: reference.shape)
        let read = try saved.read(in: workspace)
        XCTAssertEqual(read.shape, reference.shape)
        XCTAssertEqual(read.elements.map(\.bitPattern), map.values.map(\.bitPattern))
        // The statistics a record holds are those of the file's values.
        XCTAssertEqual(GammaStatistics(gammas: read.elements.filter { !$0.isNaN }), map.statistics())
    }

    func testSubsampledMapKeepsEachPointAtItsOwnVoxel() throws {
        let (reference, evaluation) = try doses()
        let map = try GammaIndex.compute(reference: reference, evaluation: evaluation, spacingMM: [2, 2, 2.5], subsample: 2)
        XCTAssertEqual(map.shape, VolumeShape(rows: 5, columns: 4, slices: 4))
        let read = try write(map, grid: reference.shape).read(in: workspace)
        XCTAssertEqual(read.shape, reference.shape)
        for row in 0..<reference.shape.rows {
            for column in 0..<reference.shape.columns {
                for slice in 0..<reference.shape.slices {
                    let value = read[row, column, slice]
                    if row % 2 == 0 && column % 2 == 0 && slice % 2 == 0 {
                        let expected = map.values[map.shape.offset(row: row / 2, column: column / 2, slice: slice / 2)]
                        XCTAssertEqual(value.bitPattern, expected.bitPattern, "(\(row), \(column), \(slice))")
                    } else {
                        XCTAssertTrue(value.isNaN, "(\(row), \(column), \(slice)) is off the decimated grid: nothing was computed there")
                    }
                }
            }
        }
        XCTAssertEqual(GammaStatistics(gammas: read.elements.filter { !$0.isNaN }), map.statistics())
    }

    func testAChangedMissingOrMisplacedMapIsRefused() throws {
        let (reference, evaluation) = try doses()
        let map = try GammaIndex.compute(reference: reference, evaluation: evaluation, spacingMM: [2, 2, 2.5])
        let saved = try write(map, grid: reference.shape)
        let other = try write(try GammaIndex.compute(reference: evaluation, evaluation: reference, spacingMM: [2, 2, 2.5]), grid: reference.shape,
                              caseId: "other")
        // Another valid map under this one's name: readable, but not the bytes the record lists.
        try FileManager.default.removeItem(atPath: workspace.file(saved.path))
        try FileManager.default.copyItem(atPath: workspace.file(other.path), toPath: workspace.file(saved.path))
        XCTAssertThrowsError(try saved.read(in: workspace)) { error in
            XCTAssertEqual(error as? EvaluationError, .gammaMapChanged(path: saved.path, expected: saved.sha256, found: other.sha256))
        }
        try FileManager.default.removeItem(atPath: workspace.file(saved.path))
        XCTAssertThrowsError(try saved.read(in: workspace)) { error in
            XCTAssertEqual(error as? EvaluationError, .gammaMapMissing(path: saved.path))
        }
        let outside = GammaMapFile(caseId: "x", path: "evaluations/../../etc/passwd", sha256: saved.sha256)
        XCTAssertFalse(outside.isContained)
        XCTAssertThrowsError(try outside.read(in: workspace)) { error in
            guard case .gammaMapUnreadable? = error as? EvaluationError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(GammaMapFile.isFileNameSafe("../x"))
        XCTAssertFalse(GammaMapFile.isFileNameSafe(".hidden"))
        XCTAssertTrue(GammaMapFile.isFileNameSafe("case_0001"))
    }

    func testNumPyReadsTheMap() throws {
        let (reference, evaluation) = try doses()
        let map = try GammaIndex.compute(reference: reference, evaluation: evaluation, spacingMM: [2, 2, 2.5])
        let saved = try write(map, grid: reference.shape)
        let statistics = map.statistics()
        try TestProcess.python("""
            import sys, numpy as np
            archive = np.load(sys.argv[1])
            assert list(archive.keys()) == ["gamma"], list(archive.keys())
            gamma = archive["gamma"]
            assert gamma.dtype == np.float32 and gamma.shape == (9, 8, 7), (gamma.dtype, gamma.shape)
            evaluated = gamma[~np.isnan(gamma)]
            assert evaluated.size == int(sys.argv[2]), evaluated.size
            rate = 100 * np.count_nonzero(evaluated <= 1) / evaluated.size
            assert abs(rate - float(sys.argv[3])) < 1e-9, rate
            """, [workspace.file(saved.path), String(statistics.evaluatedVoxels), String(try XCTUnwrap(statistics.passRate))])
    }
}

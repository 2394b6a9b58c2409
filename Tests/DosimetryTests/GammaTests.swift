import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import XCTest

/// The gamma index against pymedphys 0.41 (`Fixtures/make_gamma_reference.py`: three dose pairs of
/// different difficulty, full resolution and subsample 2 and 4, global and local) and against
/// cases with a known answer.
final class GammaTests: XCTestCase {
    struct Run: Decodable {
        let passRateLE1: Double
        let passRateLT1: Double
        let evaluated: Int
        let mean: Double
        let median: Double
        let max: Double
    }

    struct Reference: Decodable {
        let shape: [Int]
        let spacing_mm: [Double]
        let runs: [String: Run]
    }

    private static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)

    private func reference() throws -> (Reference, NPZArchive) {
        let folder = try XCTUnwrap(Self.fixtures)
        let json = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("gamma_reference.json")))
        return (json, try NPZArchive(path: folder.appendingPathComponent("gamma_pairs.npz").path))
    }

    private func volume(_ archive: NPZArchive, _ key: String, shape: [Int]) throws -> Volume<Float> {
        try Volume(shape: VolumeShape(rows: shape[0], columns: shape[1], slices: shape[2]),
                   elements: archive.read(key).elements(as: Float.self, casting: .sameKind))
    }

    /// Pass rates within 0.1 point of pymedphys, the same voxels evaluated, the same gamma voxel by
    /// voxel (the same sample points), for every pair, subsample and normalisation.
    func testMatchesPymedphysOnEveryPairSubsampleAndNormalisation() throws {
        let (fixture, archive) = try reference()
        let referenceDose = try volume(archive, "reference", shape: fixture.shape)
        XCTAssertEqual(fixture.runs.count, 18)
        for (key, expected) in fixture.runs.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").map(String.init)
            let pair = parts[0], subsample = try XCTUnwrap(Int(parts[1].dropFirst())), normalisation = try XCTUnwrap(GammaCriteria.Normalisation(rawValue: parts[2]))
            let evaluation = try volume(archive, "evaluation_\(pair)", shape: fixture.shape)
            let map = try GammaIndex.compute(reference: referenceDose, evaluation: evaluation, spacingMM: fixture.spacing_mm,
                                             criteria: GammaCriteria(normalisation: normalisation), subsample: subsample)
            let statistics = map.statistics()
            XCTAssertEqual(statistics.evaluatedVoxels, expected.evaluated, key)
            XCTAssertEqual(try XCTUnwrap(statistics.passRate), expected.passRateLE1, accuracy: 0.1, key)
            XCTAssertEqual(try XCTUnwrap(statistics.mean), expected.mean, accuracy: 1e-3, key)
            XCTAssertEqual(try XCTUnwrap(statistics.median), expected.median, accuracy: 1e-3, key)
            XCTAssertEqual(try XCTUnwrap(statistics.max), expected.max, accuracy: 1e-3, key)

            let pymedphys = try archive.read("gamma_\(pair)_k\(subsample)_\(normalisation.rawValue)").elements(as: Double.self, casting: .safe)
            XCTAssertEqual(pymedphys.count, map.values.count, key)
            var differing = 0
            for (ours, theirs) in zip(map.values, pymedphys) {
                if ours.isNaN != theirs.isNaN || (!theirs.isNaN && abs(Double(ours) - theirs) > 1e-4) { differing += 1 }
            }
            XCTAssertEqual(differing, 0, "\(key): \(differing) voxels differ from pymedphys")
        }
    }

    /// Pass-rate-only mode on every fixture run (easy to hard, every subsample, global and local):
    /// the same evaluated voxels and pass rate as pymedphys, voxel by voxel the same pass/fail as
    /// pymedphys' map (the full map matches that map within 1e-4, tested above; only voxels within
    /// 1e-4 of γ = 1 may go either way), no mean, median or max claimed; 1 and 2 threads agree.
    func testPassRateOnlyModeMatchesTheFullMapOnEveryFixture() throws {
        let (fixture, archive) = try reference()
        let referenceDose = try volume(archive, "reference", shape: fixture.shape)
        for (key, expected) in fixture.runs.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").map(String.init)
            let subsample = try XCTUnwrap(Int(parts[1].dropFirst())), normalisation = try XCTUnwrap(GammaCriteria.Normalisation(rawValue: parts[2]))
            let evaluation = try volume(archive, "evaluation_\(parts[0])", shape: fixture.shape)
            func compute(workers: Int) throws -> GammaMap {
                try GammaIndex.compute(reference: referenceDose, evaluation: evaluation, spacingMM: fixture.spacing_mm,
                                       criteria: GammaCriteria(normalisation: normalisation), subsample: subsample, workers: workers,
                                       passRateOnly: true)
            }
            let passOnly = try compute(workers: 2)
            let statistics = passOnly.statistics()
            XCTAssertEqual(statistics.evaluatedVoxels, expected.evaluated, key)
            XCTAssertEqual(try XCTUnwrap(statistics.passRate), expected.passRateLE1, accuracy: 0.1, key)
            XCTAssertNil(statistics.mean, key)
            XCTAssertNil(statistics.max, key)
            let pymedphys = try archive.read("gamma_\(parts[0])_k\(subsample)_\(normalisation.rawValue)").elements(as: Double.self, casting: .safe)
            let disagreeing = zip(pymedphys, passOnly.values).count { theirs, ours in
                theirs.isNaN != ours.isNaN || (!theirs.isNaN && (theirs <= 1) != (ours <= 1) && abs(theirs - 1) > 1e-4)
            }
            XCTAssertEqual(disagreeing, 0, "\(key): \(disagreeing) voxels pass in one and fail in the other")
            XCTAssertTrue(zip(pymedphys, passOnly.values).allSatisfy { $1.isNaN || $1 > 1 || Double($1) >= $0 - 1e-4 },
                          "a passing value is a γ found on the way, never below the minimum")
            if key == "hard/k1/global" {
                XCTAssertEqual(try compute(workers: 1).values.map(\.bitPattern), passOnly.values.map(\.bitPattern), key)
            }
        }
    }

    /// A γ capped at or below 1 passes everywhere, in both modes.
    func testPassRateOnlyModeWithMaxGammaAtOrBelowOnePassesEverything() throws {
        let (fixture, archive) = try reference()
        let referenceDose = try volume(archive, "reference", shape: fixture.shape)
        let evaluation = try volume(archive, "evaluation_hard", shape: fixture.shape)
        let criteria = GammaCriteria(maxGamma: 0.8)
        let full = try GammaIndex.compute(reference: referenceDose, evaluation: evaluation, spacingMM: fixture.spacing_mm, criteria: criteria)
        let passOnly = try GammaIndex.compute(reference: referenceDose, evaluation: evaluation, spacingMM: fixture.spacing_mm, criteria: criteria,
                                              passRateOnly: true)
        XCTAssertEqual(full.statistics().passRate, 100)
        XCTAssertEqual(passOnly.statistics().passRate, 100)
        XCTAssertEqual(passOnly.statistics().evaluatedVoxels, full.statistics().evaluatedVoxels)
    }

    /// The fixtures span easy to hard, with one pair near 70 % global pass (the request).
    func testFixturePairsSpanDifficulties() throws {
        let (fixture, _) = try reference()
        let rates = ["easy", "moderate", "hard"].compactMap { fixture.runs["\($0)/k1/global"]?.passRateLE1 }
        XCTAssertEqual(rates.count, 3)
        XCTAssertGreaterThan(rates[0], 95)
        XCTAssertEqual(rates[1], 70, accuracy: 5)
        XCTAssertLessThan(rates[2], 55)
    }

    func testIdenticalDosesGiveZeroGamma() throws {
        let shape = VolumeShape(rows: 9, columns: 8, slices: 7)
        let dose = (0..<shape.voxelCount).map { Float(20 + 50 * sin(Double($0) * 0.37) * sin(Double($0) * 0.11)) }
        let volume = try Volume(shape: shape, elements: dose)
        let map = try GammaIndex.compute(reference: volume, evaluation: volume, spacingMM: [1, 1.5, 2.5])
        let statistics = map.statistics()
        XCTAssertGreaterThan(statistics.evaluatedVoxels, 0)
        XCTAssertEqual(statistics.max, 0)
        XCTAssertEqual(statistics.passRate, 100)
        // Below the 10 % cutoff nothing is evaluated.
        let maximum = try XCTUnwrap(dose.max())
        XCTAssertEqual(statistics.evaluatedVoxels, dose.count { $0 >= 0.1 * maximum })
    }

    /// A steep ramp along axis 2 moved by 0.6 mm: the only dose match is 0.6 mm away, on the polar
    /// axis of every shell, so gamma is 0.6/3 = 0.2 wherever that point lies inside the grid.
    func testPureShiftGivesTheAnalyticGamma() throws {
        let shape = VolumeShape(rows: 5, columns: 6, slices: 40)
        let spacing = [1.0, 1.2, 0.5], shiftMM = 0.6, gradientGyPerMM = 10.0
        func ramp(_ z: Double) -> Float { Float(5 + gradientGyPerMM * z) }
        var reference: [Float] = [], evaluation: [Float] = []
        for _ in 0..<(shape.rows * shape.columns) {
            for slice in 0..<shape.slices {
                let z = Double(slice) * spacing[2]
                reference.append(ramp(z))
                evaluation.append(ramp(z - shiftMM))
            }
        }
        let map = try GammaIndex.compute(reference: try Volume(shape: shape, elements: reference),
                                         evaluation: try Volume(shape: shape, elements: evaluation), spacingMM: spacing)
        var checked = 0
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                for slice in 0..<shape.slices where Double(slice) * spacing[2] + shiftMM <= Double(shape.slices - 1) * spacing[2] {
                    let gamma = map.values[shape.offset(row: row, column: column, slice: slice)]
                    guard !gamma.isNaN else { continue }
                    XCTAssertEqual(Double(gamma), shiftMM / 3, accuracy: 1e-5)
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 900)
    }

    func testOneAndTwoThreadsGiveTheSameMap() throws {
        let shape = VolumeShape(rows: 12, columns: 10, slices: 8)
        let reference = (0..<shape.voxelCount).map { Float(40 + Double($0 / 80)) }
        let evaluation = reference.enumerated().map { $0.offset < shape.voxelCount / 2 ? $0.element * 1.1 : $0.element }
        let one = try GammaIndex.compute(reference: try Volume(shape: shape, elements: reference), evaluation: try Volume(shape: shape, elements: evaluation),
                                         spacingMM: [1, 1, 2.5], workers: 1)
        let two = try GammaIndex.compute(reference: try Volume(shape: shape, elements: reference), evaluation: try Volume(shape: shape, elements: evaluation),
                                         spacingMM: [1, 1, 2.5], workers: 2)
        XCTAssertEqual(one.values.map(\.bitPattern), two.values.map(\.bitPattern))
        XCTAssertLessThan(try XCTUnwrap(one.statistics().passRate), 100)
    }

    /// pymedphys' search radii for 3 mm, max γ 2: steps of 0.3 mm accumulated in floating point, the DTA itself inserted, up to 6 mm.
    func testSearchRadiiFollowPymedphys() {
        let radii = GammaSearchPattern(criteria: .historic).shells.map(\.radiusMM)
        XCTAssertEqual(radii.first, 0)
        XCTAssertTrue(radii.contains(3.0))
        XCTAssertEqual(try XCTUnwrap(radii.last), 6, accuracy: 0.31)
        XCTAssertLessThanOrEqual(try XCTUnwrap(radii.last), 6)
        // 0.3 + 0.3 + … reaches 2.9999999999999996 just below the DTA, then the DTA itself: 22 shells.
        XCTAssertEqual(radii.count, 22)
    }

    func testBadSettingsAreRefused() throws {
        let volume = try Volume(shape: VolumeShape(rows: 2, columns: 2, slices: 2), elements: [Float](repeating: 1, count: 8))
        XCTAssertThrowsError(try GammaIndex.compute(reference: volume, evaluation: volume, spacingMM: [1, 0, 1])) {
            XCTAssertEqual(($0 as? GammaError)?.code, "gamma.invalid_spacing")
        }
        XCTAssertThrowsError(try GammaIndex.compute(reference: volume, evaluation: volume, spacingMM: [1, 1, 1],
                                                    criteria: GammaCriteria(distanceMM: -3))) {
            XCTAssertEqual(($0 as? GammaError)?.code, "gamma.invalid_criteria")
        }
        let other = try Volume(shape: VolumeShape(rows: 2, columns: 2, slices: 1), elements: [Float](repeating: 1, count: 4))
        XCTAssertThrowsError(try GammaIndex.compute(reference: volume, evaluation: other, spacingMM: [1, 1, 1])) { error in
            XCTAssertEqual((error as? GammaError)?.code, "gamma.grid_mismatch")
            XCTAssertEqual(error as? GammaError, .gridMismatch(reference: volume.shape.description, evaluation: other.shape.description))
        }
    }
}

import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import XCTest

/// The gamma index where it is hard (`Fixtures/make_gamma_hard_reference.py`): a steep pair at
/// ~30 % global pass and a coarse 4.7 × 4.7 × 2 mm grid at ~59 %, large enough that thousands of
/// points search entirely inside the grid (the vector kernels alone) while dose above the cutoff
/// reaches every face (cells across a face go sample by sample). Every kernel this CPU runs must give pymedphys' map.
final class GammaHardRegimeTests: XCTestCase {
    struct Run: Decodable {
        let passRateLE1: Double
        let evaluated: Int
        let mean: Double
        let max: Double
    }

    struct Pair: Decodable {
        let shape: [Int]
        let spacing_mm: [Double]
    }

    struct Reference: Decodable {
        let pairs: [String: Pair]
        let runs: [String: Run]
    }

    struct Case {
        let key: String
        let pair: Pair
        let normalisation: GammaCriteria.Normalisation
        let reference: Volume<Float>
        let evaluation: Volume<Float>
        let pymedphys: [Float]
        let expected: Run
    }

    private static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)

    private func cases() throws -> [Case] {
        let folder = try XCTUnwrap(Self.fixtures)
        let fixture = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("gamma_hard_reference.json")))
        let archive = try NPZArchive(path: folder.appendingPathComponent("gamma_hard_pairs.npz").path)
        XCTAssertEqual(fixture.runs.count, 3)
        return try fixture.runs.keys.sorted().map { key in
            let parts = key.split(separator: "/").map(String.init)
            let pair = try XCTUnwrap(fixture.pairs[parts[0]])
            let shape = VolumeShape(rows: pair.shape[0], columns: pair.shape[1], slices: pair.shape[2])
            func volume(_ name: String) throws -> Volume<Float> {
                try Volume(shape: shape, elements: archive.read(name).elements(as: Float.self, casting: .sameKind))
            }
            return Case(key: key, pair: pair, normalisation: try XCTUnwrap(GammaCriteria.Normalisation(rawValue: parts[1])),
                        reference: try volume("reference_\(parts[0])"), evaluation: try volume("evaluation_\(parts[0])"),
                        pymedphys: try archive.read("gamma_\(parts[0])_\(parts[1])").elements(as: Float.self, casting: .sameKind),
                        expected: try XCTUnwrap(fixture.runs[key]))
        }
    }

    /// The kernels this CPU runs, narrowest first.
    private var kernels: [GammaIndex.Kernel] { GammaIndex.Kernel.allCases.filter { $0.rawValue <= GammaIndex.Kernel.fastest.rawValue } }

    /// Every point's γ within 1e-4 of pymedphys', the same points evaluated, with every kernel.
    func testEveryKernelMatchesPymedphysPointForPoint() throws {
        for testCase in try cases() {
            for kernel in kernels {
                let label = "\(testCase.key) \(kernel)"
                let map = try GammaIndex.compute(reference: testCase.reference, evaluation: testCase.evaluation, spacingMM: testCase.pair.spacing_mm,
                                                 criteria: GammaCriteria(normalisation: testCase.normalisation), kernel: kernel)
                let statistics = map.statistics()
                XCTAssertEqual(statistics.evaluatedVoxels, testCase.expected.evaluated, label)
                XCTAssertEqual(try XCTUnwrap(statistics.passRate), testCase.expected.passRateLE1, accuracy: 0.1, label)
                XCTAssertEqual(try XCTUnwrap(statistics.mean), testCase.expected.mean, accuracy: 1e-4, label)
                let differing = zip(map.values, testCase.pymedphys).count { ours, theirs in
                    ours.isNaN != theirs.isNaN || (!theirs.isNaN && abs(ours - theirs) > 1e-4)
                }
                XCTAssertEqual(differing, 0, "\(label): \(differing) points differ from pymedphys")
            }
        }
    }

    /// Pass-rate-only mode decides every point as the full map does (the same evaluated points,
    /// the same pass rate), with the fastest kernel everywhere and the scalar one on the steep pair;
    /// 1 and 2 threads give the same maps in both modes.
    func testPassRateOnlyModeAgreesWithTheFullMapPointForPoint() throws {
        for testCase in try cases() {
            let criteria = GammaCriteria(normalisation: testCase.normalisation)
            func compute(passRateOnly: Bool, workers: Int = 2, kernel: GammaIndex.Kernel = .fastest) throws -> GammaMap {
                try GammaIndex.compute(reference: testCase.reference, evaluation: testCase.evaluation, spacingMM: testCase.pair.spacing_mm,
                                       criteria: criteria, workers: workers, passRateOnly: passRateOnly, kernel: kernel)
            }
            let full = try compute(passRateOnly: false), steep = testCase.key == "steep/global"
            for kernel in steep ? [.fastest, .scalar] : [GammaIndex.Kernel.fastest] {
                let passOnly = try compute(passRateOnly: true, kernel: kernel)
                let disagreeing = zip(full.values, passOnly.values).count { full, passOnly in
                    full.isNaN != passOnly.isNaN || (full <= 1) != (passOnly <= 1)
                }
                XCTAssertEqual(disagreeing, 0, "\(testCase.key) \(kernel): \(disagreeing) points decided differently")
                XCTAssertEqual(passOnly.statistics().passRate, full.statistics().passRate, "\(testCase.key) \(kernel)")
                if steep && kernel == .fastest {
                    XCTAssertEqual(try compute(passRateOnly: true, workers: 1).values.map(\.bitPattern), passOnly.values.map(\.bitPattern), testCase.key)
                }
            }
            if steep {
                XCTAssertEqual(try compute(passRateOnly: false, workers: 1).values.map(\.bitPattern), full.values.map(\.bitPattern), testCase.key)
            }
        }
    }

    /// The fixtures are what they claim: a low pass rate, and both search paths exercised — points
    /// whose whole search (max γ · DTA) stays on the grid, and evaluated points near a face.
    func testFixturesCoverTheHardRegime() throws {
        let all = try cases()
        let steep = try XCTUnwrap(all.first { $0.key == "steep/global" })
        XCTAssertLessThan(steep.expected.passRateLE1, 40)
        for testCase in all where testCase.normalisation == .global {
            let shape = testCase.reference.shape, reach = 2 * 3.0
            let margins = (0..<3).map { Int((reach / testCase.pair.spacing_mm[$0]).rounded(.up)) + 1 }
            var inside = 0, nearFace = 0
            for row in 0..<shape.rows {
                for column in 0..<shape.columns {
                    for slice in 0..<shape.slices where !testCase.pymedphys[shape.offset(row: row, column: column, slice: slice)].isNaN {
                        let index = [row, column, slice], extent = [shape.rows, shape.columns, shape.slices]
                        if (0..<3).allSatisfy({ index[$0] >= margins[$0] && index[$0] < extent[$0] - margins[$0] }) { inside += 1 } else { nearFace += 1 }
                    }
                }
            }
            XCTAssertGreaterThan(inside, 5000, testCase.key)
            XCTAssertGreaterThan(nearFace, 5000, testCase.key)
        }
    }
}

import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import XCTest

/// DVH points, dose errors, OpenKBP points and the PTV regions against NumPy and SciPy
/// (`Fixtures/make_evaluation_reference.py`).
final class DoseComparisonTests: XCTestCase {
    struct Side: Decodable {
        let voxels: Int
        let volumeCC: Double?
        let unreliable: Bool?
        let maeGy: Double?
        let reference: [String: Double]?
        let prediction: [String: Double]?
    }

    struct Reference: Decodable {
        let shape: [Int]
        let spacing_mm: [Double]
        let channels: [String]
        let structures: [String: Side]
        let mae: [String: Double]
    }

    private struct Loaded {
        let reference: Reference
        let comparison: DoseComparison
        let masks: ChannelStack<UInt8>
        let archive: NPZArchive
        let shape: VolumeShape
    }

    private func load() throws -> Loaded {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("evaluation_reference.json")))
        let archive = try NPZArchive(path: folder.appendingPathComponent("evaluation_case.npz").path)
        let shape = VolumeShape(rows: reference.shape[0], columns: reference.shape[1], slices: reference.shape[2])
        func gy(_ key: String) throws -> Volume<Float> {
            try Volume(shape: shape, elements: archive.read(key).elements(as: Float.self, casting: .sameKind).map { $0 * Float(70) })
        }
        let catalog = ChannelCatalog(channels: reference.channels.enumerated().map { StructureChannel(index: $0.offset, name: $0.element) },
                                     source: .standardOrder)
        let masks = try ChannelStack(catalog: catalog, shape: shape, checkedElements: archive.read("masks").elements(as: UInt8.self, casting: .safe))
        let voxelVolumeCC = reference.spacing_mm.reduce(1, *) / 1000
        return Loaded(reference: reference, comparison: DoseComparison(referenceGy: try gy("dose"), predictionGy: try gy("pred"), masks: masks,
                                                                        voxelVolumeCC: voxelVolumeCC),
                      masks: masks, archive: archive, shape: shape)
    }

    /// Every DVH metric of every structure equals NumPy's on both doses (Dx and Vx exactly, means
    /// to float rounding), with the error prediction − reference.
    func testDVHMetricsEqualNumPy() throws {
        let loaded = try load()
        var compared = 0
        for (name, expected) in loaded.reference.structures {
            let structure = try XCTUnwrap(loaded.comparison.structure(name), name)
            XCTAssertEqual(structure.voxels, expected.voxels, name)
            guard expected.voxels > 0 else {
                XCTAssertTrue(structure.metrics.isEmpty, "\(name) is absent and has no metrics")
                continue
            }
            XCTAssertEqual(structure.isUnreliable, expected.unreliable, name)
            XCTAssertEqual(structure.volumeCC, try XCTUnwrap(expected.volumeCC), accuracy: 1e-9, name)
            XCTAssertEqual(try XCTUnwrap(structure.maeGy), try XCTUnwrap(expected.maeGy), accuracy: 1e-5, name)
            let references = try XCTUnwrap(expected.reference), predictions = try XCTUnwrap(expected.prediction)
            for metric in DVHMetric.metrics(for: name) {
                let point = try XCTUnwrap(structure.metrics[metric], "\(name) \(metric.rawValue)")
                let tolerance = metric == .meanDose ? 1e-4 : 1e-9
                XCTAssertEqual(point.reference, try XCTUnwrap(references[metric.rawValue], "\(name) \(metric.rawValue)"), accuracy: tolerance)
                XCTAssertEqual(point.prediction, try XCTUnwrap(predictions[metric.rawValue]), accuracy: tolerance, "\(name) \(metric.rawValue)")
                XCTAssertEqual(point.error, point.prediction - point.reference)
                compared += 1
            }
            for (key, value) in structure.openKBP {
                XCTAssertEqual(value.reference, try XCTUnwrap(references[key == "D95" ? "D95_openkbp" : key], "\(name) \(key)"), accuracy: 1e-4)
                XCTAssertEqual(value.prediction, try XCTUnwrap(predictions[key == "D95" ? "D95_openkbp" : key]), accuracy: 1e-4, "\(name) \(key)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 100)
    }

    /// Both shipped protocols applied to both doses give the outcomes an independent Python check
    /// computes from NumPy's DVH values and the protocol files (Fixtures/make_acceptance_reference.py).
    func testAcceptanceOfBothDosesEqualsTheIndependentCheck() throws {
        struct Outcome: Decodable {
            let passed: Bool
            let compliance_percent: Double?
            let violations: [[JSONNumberOrText]]
            let not_evaluated: [[String]]
        }
        let loaded = try load()
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let expected = try JSONDecoder().decode([String: [String: Outcome]].self,
                                                from: Data(contentsOf: folder.appendingPathComponent("acceptance_reference.json")))
        XCTAssertEqual(Set(expected.keys), Set(AcceptanceProtocol.builtInNames))
        for (name, sides) in expected {
            let table = try AcceptanceProtocol.builtIn(named: name)
            for (side, outcome) in sides {
                let result = table.check { structure, metric in
                    loaded.comparison.structure(structure)?.metrics[metric].map { side == "reference" ? $0.reference : $0.prediction }
                }
                let label = "\(name) \(side)"
                XCTAssertEqual(result.passed, outcome.passed, label)
                XCTAssertEqual(result.compliancePercent, outcome.compliance_percent, label)
                XCTAssertEqual(result.violations.map { [$0.structure, $0.metric] }, outcome.violations.map { $0.prefix(2).compactMap(\.text) }, label)
                for (violation, row) in zip(result.violations, outcome.violations) {
                    XCTAssertEqual(violation.value, try XCTUnwrap(row.last?.number), accuracy: 1e-4, label)
                }
                XCTAssertEqual(result.notEvaluated.count, outcome.not_evaluated.count, label)
            }
        }
    }

    func testDoseErrorsEqualNumPy() throws {
        let loaded = try load()
        let mae = loaded.comparison.mae, expected = loaded.reference.mae
        XCTAssertEqual(try XCTUnwrap(mae.overallGy), try XCTUnwrap(expected["overall"]), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(mae.bodyGy), try XCTUnwrap(expected["body"]), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(mae.atLeast10PercentGy), try XCTUnwrap(expected["ge10"]), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(mae.atLeast50PercentGy), try XCTUnwrap(expected["ge50"]), accuracy: 1e-5)
        XCTAssertEqual(try XCTUnwrap(mae.atLeast90PercentGy), try XCTUnwrap(expected["ge90"]), accuracy: 1e-5)
    }

    /// The cuboid region equals SciPy's binary dilation by the old cuboid, the Euclidean one the
    /// 5 mm distance-transform margin, voxel for voxel.
    func testPTVRegionsEqualScipy() throws {
        let loaded = try load()
        for region in PTVRegion.allCases {
            let ours = try XCTUnwrap(try region.mask(masks: loaded.masks, spacingMM: loaded.reference.spacing_mm))
            let expected = try loaded.archive.read("region_\(region.rawValue)").elements(as: UInt8.self, casting: .safe)
            XCTAssertEqual(ours.elements, expected, region.rawValue)
        }
        let cuboid = try XCTUnwrap(try PTVRegion.cuboid.mask(masks: loaded.masks, spacingMM: loaded.reference.spacing_mm))
        let euclidean = try XCTUnwrap(try PTVRegion.euclidean.mask(masks: loaded.masks, spacingMM: loaded.reference.spacing_mm))
        XCTAssertNotEqual(cuboid.elements, euclidean.elements, "the fixture must tell the two margins apart")
    }

    func testLinearPercentileMatchesNumPysInterpolation() {
        let values = [1.0, 2.0, 4.0, 8.0]
        XCTAssertEqual(Percentile.linear(sortedValues: values, percent: 50), 3.0)
        XCTAssertEqual(Percentile.linear(sortedValues: values, percent: 100), 8.0)
        XCTAssertEqual(try XCTUnwrap(Percentile.linear(sortedValues: values, percent: 90)), 6.8, accuracy: 1e-12)
        XCTAssertNil(Percentile.linear(sortedValues: [], percent: 5))
    }
}

/// A JSON array member that is either a string or a number.
private enum JSONNumberOrText: Decodable {
    case text(String), number(Double)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) { self = .number(number) } else { self = .text(try container.decode(String.self)) }
    }

    var text: String? { if case let .text(value) = self { value } else { nil } }
    var number: Double? { if case let .number(value) = self { value } else { nil } }
}

import DoseCase
import Dosimetry
import Evaluation
import Foundation
import Lineage
import NumpyFormat
import Phantoms
import SharedCohort
import Workflows
import XCTest

/// `evaluate --save-gamma` on a frozen copy of the shared cohort: each case's map is the one the
/// evaluation's numbers came from, on the reference's full grid, listed in the record's context
/// under `evaluations/<hash>/gamma/`, verified, and put back (never the record edited) when an
/// identical evaluation runs again.
final class SaveGammaMapsTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-save-gamma")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private var testCases: [String] {
        get throws { try SplitRevision.resolve("main", in: space).identity.cases.filter { $0.role == .test }.map(\.caseId) }
    }

    private func request(subsample: Int, save: Bool = true) throws -> EvaluateRequest {
        let folder = work.appendingPathComponent("predictions").path
        if !FileManager.default.fileExists(atPath: folder) {
            let files = try testCases.map { try FrozenCleanCohort.file(of: $0, dataset: dataset, in: space) }
            try SyntheticPrediction.writePredictions(forCases: files, to: folder, seed: 5)
        }
        var request = EvaluateRequest(references: [], predictions: folder,
                                      selection: SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test),
                                      workspace: space, subsample: subsample)
        request.saveGammaMaps = save
        return request
    }

    func testSavedMapsAreTheEvaluatedMapsAndVerifyWatchesThem() async throws {
        let outcome = try await EvaluateWorkflow.run(try request(subsample: 2))
        let record = outcome.record
        let folder = "evaluations/\(record.hash.prefix(16))/gamma"
        XCTAssertEqual(outcome.gammaMaps, .written(folder: folder, count: record.identity.cases.count))
        let maps = try XCTUnwrap(record.context.gammaMaps)
        XCTAssertEqual(maps.map(\.caseId), record.identity.cases.map(\.caseId))
        XCTAssertEqual(maps.map(\.path), maps.map { "\(folder)/\($0.caseId).npz" })
        XCTAssertEqual(try EvaluationRecord.read(space.file(try XCTUnwrap(outcome.recordFile))), record)
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: space.file(record.fileName)), against: "evaluation.schema.json"), [])
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: space.file(".dosecurate/staging"))) ?? [], [],
                       "the staging folder is removed")

        for evaluation in record.identity.cases {
            let map = try record.gammaMap(of: evaluation.caseId, in: space)
            let reference = try DoseCase.open(path: try FrozenCleanCohort.file(of: evaluation.caseId, dataset: dataset, in: space))
            XCTAssertEqual(map.shape, reference.shape, "the reference's full grid")
            let evaluated = map.elements.filter { !$0.isNaN }
            XCTAssertEqual(evaluated.count, evaluation.gamma.global.evaluatedVoxels, "NaN exactly where γ was not evaluated")
            XCTAssertEqual(GammaStatistics(gammas: evaluated), evaluation.gamma.global, "the record's numbers are the file's")
            XCTAssertGreaterThan(evaluation.gamma.global.evaluatedVoxels, 1000)
        }

        // The same map as computing gamma directly, point for point (one case suffices).
        let first = try XCTUnwrap(record.identity.cases.first)
        let reference = try DoseCase.open(path: try FrozenCleanCohort.file(of: first.caseId, dataset: dataset, in: space))
        let predicted = try NPZArchive(path: work.appendingPathComponent("predictions/\(first.caseId)_pred.npz").path).read("dose")
        let referenceDose = try reference.volume("dose")
        let prediction = try Volume(shape: referenceDose.shape, elements: try predicted.elements(as: Float.self, casting: .sameKind))
        let direct = try GammaIndex.compute(reference: try gy(referenceDose), evaluation: try gy(prediction),
                                            spacingMM: reference.spacing.millimetres, criteria: record.identity.settings.gamma.criteria, subsample: 2)
        let saved = try record.gammaMap(of: first.caseId, in: space)
        var lattice: [Float] = []
        for row in stride(from: 0, to: saved.shape.rows, by: 2) {
            for column in stride(from: 0, to: saved.shape.columns, by: 2) {
                for slice in stride(from: 0, to: saved.shape.slices, by: 2) { lattice.append(saved[row, column, slice]) }
            }
        }
        XCTAssertEqual(lattice.map(\.bitPattern), direct.values.map(\.bitPattern))

        // NumPy reads every map, and its pass rate is the record's.
        let script = """
            import sys, numpy as np
            for path, voxels, rate, rows, columns, slices in zip(*[iter(sys.argv[1:])] * 6):
                gamma = np.load(path)["gamma"]
                assert gamma.dtype == np.float32 and gamma.shape == (int(rows), int(columns), int(slices)), (path, gamma.dtype, gamma.shape)
                evaluated = gamma[~np.isnan(gamma)]
                assert evaluated.size == int(voxels), (path, evaluated.size, voxels)
                assert abs(100 * np.count_nonzero(evaluated <= 1) / evaluated.size - float(rate)) < 1e-9, path
            """
        var arguments: [String] = []
        for (map, evaluation) in zip(maps, record.identity.cases) {
            let shape = try record.gammaMap(of: map.caseId, in: space).shape
            arguments += [space.file(map.path), String(evaluation.gamma.global.evaluatedVoxels), String(try XCTUnwrap(evaluation.gamma.global.passRate)),
                          String(shape.rows), String(shape.columns), String(shape.slices)]
        }
        try TestProcess.python(script, arguments)

        // verify: clean; a changed map and a missing one are drift.
        let clean = try await WorkspaceVerifier.verify(space, deep: false, workers: 1)
        XCTAssertEqual(clean.findings, [])
        XCTAssertEqual(WorkspaceListing.read(space).unreadable, [], "the gamma folder is not mistaken for a record")
        let changed = maps[0], missing = maps[1]
        try FileManager.default.removeItem(atPath: space.file(changed.path))
        try FileManager.default.copyItem(atPath: space.file(maps[2].path), toPath: space.file(changed.path))
        try FileManager.default.removeItem(atPath: space.file(missing.path))
        let drift = try await WorkspaceVerifier.verify(space, deep: false, workers: 1)
        XCTAssertEqual(drift.findings.map(\.kind), [.artifactChanged, .artifactMissing])
        XCTAssertEqual(drift.findings.map(\.path), [changed.path, missing.path])
        XCTAssertEqual(drift.findings.map(\.caseId), [changed.caseId, missing.caseId])
        XCTAssertThrowsError(try record.gammaMap(of: changed.caseId, in: space)) { error in
            guard case .gammaMapChanged? = error as? EvaluationError else { return XCTFail("\(error)") }
        }

        // The same evaluation again: the record is not rewritten; the missing map is put back (the
        // search is deterministic), the changed one is left for verify to report.
        let recordBytes = try space.read(record.fileName)
        let again = try await EvaluateWorkflow.run(try request(subsample: 2))
        XCTAssertTrue(again.alreadyRecorded)
        XCTAssertEqual(again.gammaMaps, .restored(caseIds: [missing.caseId], listed: maps.count))
        XCTAssertEqual(try space.read(record.fileName), recordBytes)
        let after = try await WorkspaceVerifier.verify(space, deep: false, workers: 1)
        XCTAssertEqual(after.findings.map(\.kind), [.artifactChanged])
    }

    func testAnEvaluationRecordedWithoutMapsKeepsNoneAndPassRateIsRefused() async throws {
        let plain = try await EvaluateWorkflow.run(try request(subsample: 4, save: false))
        XCTAssertNil(plain.record.context.gammaMaps)
        let again = try await EvaluateWorkflow.run(try request(subsample: 4))
        XCTAssertTrue(again.alreadyRecorded)
        XCTAssertEqual(again.gammaMaps, .notKept)
        XCTAssertNil(again.record.context.gammaMaps)
        XCTAssertFalse(space.exists("evaluations/\(plain.record.hash.prefix(16))"), "no map a record does not name")

        var passRate = try request(subsample: 4)
        passRate.gammaStatistics = .passRate
        do {
            _ = try await EvaluateWorkflow.run(passRate)
            XCTFail("pass-rate maps hold decisions, not gamma: refused")
        } catch {
            XCTAssertEqual(error as? EvaluationError, .gammaMapsNeedFullStatistics)
        }
    }

    private func gy(_ volume: Volume<Float>) throws -> Volume<Float> { try Volume(shape: volume.shape, elements: volume.elements.map { $0 * 70 }) }
}

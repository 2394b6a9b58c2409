import DoseCase
import Dosimetry
import Support
import Evaluation
import Foundation
import Lineage
import NumpyFormat
import Phantoms
import SharedCohort
import Workflows
import Reports
import XCTest

/// `evaluate` end to end on a frozen copy of the shared phantom cohort's clean cases with a locked
/// split: the pinned cases only, references verified, the record written once.
final class EvaluateWorkflowTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""
    private var split: SplitRevision!

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-evaluate")
        split = try SplitRevision.resolve("main", in: space)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func cases(_ role: LockedSplit.Role) -> [String] { split.identity.cases.filter { $0.role == role }.map(\.caseId) }

    private func file(of caseId: String) throws -> String {
        let revision = try DatasetRevision.resolve(dataset, in: space)
        let entry = try XCTUnwrap(revision.dataset.context.files.first { $0.caseId == caseId })
        return space.location(ofRecorded: entry.path).name
    }

    /// Writes predictions of `caseIds` into `predictions/`.
    private func predict(_ caseIds: [String]) throws -> String {
        let folder = work.appendingPathComponent("predictions").path
        try SyntheticPrediction.writePredictions(forCases: caseIds.map(file(of:)), to: folder, seed: 3)
        return folder
    }

    private func request(_ predictions: String, references: [String] = []) -> EvaluateRequest {
        EvaluateRequest(references: references, predictions: predictions,
                        selection: SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test), workspace: space, subsample: 2)
    }

    func testPinnedEvaluationCoversTheTestCasesAndWritesOneRecord() async throws {
        let test = cases(.test)
        XCTAssertGreaterThanOrEqual(test.count, 3)
        let outcome = try await EvaluateWorkflow.run(request(try predict(test)))
        XCTAssertFalse(outcome.isIncomplete)
        let identity = outcome.record.identity
        XCTAssertEqual(identity.cases.map(\.caseId), test.sorted())
        XCTAssertEqual(identity.settings.datasetVersion, dataset)
        XCTAssertEqual(identity.settings.split, .init(name: "main", revision: 1, hash: split.envelope.storedHash, role: "test"))
        XCTAssertEqual(identity.settings.gamma.subsample, 2)
        for evaluation in identity.cases {
            // The hash the reference was verified against is the one the split locked.
            XCTAssertEqual(evaluation.caseHash, split.identity.cases.first { $0.caseId == evaluation.caseId }?.caseHash)
            XCTAssertNotNil(evaluation.ptv70D95ErrorGy)
            XCTAssertNotNil(evaluation.femurAsymmetry)
            let global = try XCTUnwrap(evaluation.gamma.global.passRate), region = try XCTUnwrap(evaluation.gamma.ptvRegion?.passRate)
            XCTAssertTrue((50...100).contains(global) && (0...100).contains(region), "\(evaluation.caseId): \(global) \(region)")
            // The region's voxels are a subset of the global ones: one map.
            XCTAssertLessThan(try XCTUnwrap(evaluation.gamma.ptvRegion?.evaluatedVoxels), evaluation.gamma.global.evaluatedVoxels)
            // Clean ground truth meets the current table; both doses were checked against all of it.
            XCTAssertTrue(evaluation.acceptance.reference.passed, "\(evaluation.caseId): \(evaluation.acceptance.reference.violations)")
            XCTAssertEqual(evaluation.acceptance.prediction.constraintsEvaluated + evaluation.acceptance.prediction.notEvaluated.count, 20)
        }
        XCTAssertEqual(identity.aggregate.cases, test.count)
        XCTAssertEqual(identity.aggregate.referencesPassed, test.count)
        XCTAssertEqual(identity.settings.acceptanceProtocol.definition.name, "current")

        // Written once, under its hash; it validates and reads back; the same evaluation is not written twice.
        let recordFile = try XCTUnwrap(outcome.recordFile)
        XCTAssertEqual(recordFile, "evaluations/\(outcome.record.hash.prefix(16)).json")
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: space.file(recordFile)), against: "evaluation.schema.json"), [])
        let stored = try EvaluationRecord.read(space.file(recordFile))
        XCTAssertEqual(stored.identity, outcome.record.identity)
        let again = try await EvaluateWorkflow.run(request(try predict(test)))
        XCTAssertTrue(again.alreadyRecorded)
        XCTAssertEqual(space.files(in: "evaluations").count, 1)

        // verify checks evaluation records too: intact now, an edited number caught.
        let clean = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(clean.findings.map(\.message), [])
        let path = space.file(recordFile)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let mae = try XCTUnwrap(text.range(of: "\"maeGy\": 0."))
        try text.replacingCharacters(in: mae, with: "\"maeGy\": 1.").write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(edited.findings.map(\.kind), [.recordTampered], edited.findings.map(\.message).joined(separator: "; "))
    }

    func testMissingPredictionsAreListedAndTheRestEvaluated() async throws {
        let test = cases(.test)
        let outcome = try await EvaluateWorkflow.run(request(try predict(Array(test.dropFirst()))))
        XCTAssertTrue(outcome.isIncomplete)
        XCTAssertEqual(outcome.plan.missingPredictions, [test[0]])
        XCTAssertEqual(outcome.record.identity.missingPredictions, [test[0]])
        XCTAssertEqual(outcome.record.identity.cases.count, test.count - 1)
    }

    /// The usual folder holds a prediction for every case: the role's cases are evaluated and the
    /// others set aside (counted), unless `strict` asks for the refusal.
    func testPredictionsForCasesOutsideTheRoleAreSetAsideOrRefusedWhenStrict() async throws {
        let train = try XCTUnwrap(cases(.train).first)
        let folder = try predict(cases(.test) + [train])
        let outcome = try await EvaluateWorkflow.run(request(folder))
        XCTAssertEqual(outcome.plan.ignoredPredictions, [train])
        XCTAssertEqual(Set(outcome.record.identity.cases.map(\.caseId)), Set(cases(.test)))
        XCTAssertFalse(outcome.isIncomplete)
        XCTAssertTrue(EvaluationText.render(outcome.record, plan: outcome.plan, recordFile: nil, alreadyRecorded: false)
            .contains("ignored 1 prediction for cases the split does not assign to test"))

        var strict = request(folder)
        strict.strict = true
        do {
            _ = try await EvaluateWorkflow.run(strict)
            XCTFail("strict: a prediction of a training case must be refused")
        } catch let error as EvaluationError {
            XCTAssertEqual(error, .predictionsOutsideRole(role: "test", split: "main@1", caseIds: [train]))
        }
    }

    /// A prediction saved in Gy is refused with what to do; `--dose-unit gy` reads it as Gy and gives
    /// the numbers of the same prediction normalised, recording the unit in the settings.
    func testAPredictionSavedInGyIsRefusedUnlessTheUnitIsGiven() async throws {
        let caseId = try XCTUnwrap(cases(.test).first)
        let normalised = try predict([caseId])
        let inGy = work.appendingPathComponent("gy").path
        try FileManager.default.createDirectory(atPath: inGy, withIntermediateDirectories: true)
        let file = "\(normalised)/\(caseId)_pred.npz"
        let dose = try NPZArchive(path: file).read("dose")
        let scaled = try dose.elements(as: Float.self, casting: .sameKind).map { $0 * 70 }
        try NPZWriter.write(members: [("dose", .array(try NPYArray(shape: dose.shape, elements: scaled)))], to: "\(inGy)/\(caseId)_pred.npz")

        do {
            _ = try await EvaluateWorkflow.run(request(inGy))
            XCTFail("a dose in Gy must be refused")
        } catch let error as EvaluationError {
            guard case let .predictionLooksLikeGy(prediction, maximum) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(prediction, "\(inGy)/\(caseId)_pred.npz")
            XCTAssertGreaterThan(maximum, 3)
            XCTAssertEqual(error.code, "evaluation.prediction_looks_like_gy")
            // What a user reads says what was expected and what to do.
            XCTAssertTrue("\(error)".contains("looks like Gy, expected doses normalised to 70 Gy = 1.0"), "\(error)")
        }
        var asGy = request(inGy)
        asGy.predictionDoseUnit = .gy
        let evaluated = try await EvaluateWorkflow.run(asGy)
        XCTAssertEqual(evaluated.record.identity.settings.predictionDoseUnit, .gy)
        let reference = try await EvaluateWorkflow.run(request(normalised))
        XCTAssertNil(reference.record.identity.settings.predictionDoseUnit)
        let (a, b) = (try XCTUnwrap(evaluated.record.identity.cases.first), try XCTUnwrap(reference.record.identity.cases.first))
        XCTAssertEqual(try XCTUnwrap(a.maeGy), try XCTUnwrap(b.maeGy), accuracy: 1e-3)
        XCTAssertEqual(try XCTUnwrap(a.gamma.global.passRate), try XCTUnwrap(b.gamma.global.passRate), accuracy: 0.005)
    }

    /// `--gamma-stat pass-rate`: the same pass rates (global and PTV region) as the full map, no γ
    /// mean, median or max, and a record that says which statistics it holds (another hash).
    func testAPassRateOnlyEvaluationHasTheFullMapsPassRatesAndSaysSo() async throws {
        let predictions = try predict(Array(cases(.test).prefix(1)))
        let full = try await EvaluateWorkflow.run(request(predictions))
        var passOnly = request(predictions)
        passOnly.gammaStatistics = .passRate
        let fast = try await EvaluateWorkflow.run(passOnly)
        XCTAssertEqual(full.record.identity.gammaStatistics, .full)
        XCTAssertEqual(fast.record.identity.gammaStatistics, .passRate)
        XCTAssertNotEqual(fast.record.hash, full.record.hash)
        XCTAssertEqual(fast.record.identity.cases.count, full.record.identity.cases.count)
        for (a, b) in zip(fast.record.identity.cases, full.record.identity.cases) {
            XCTAssertEqual(a.gamma.global.passRate, b.gamma.global.passRate, a.caseId)
            XCTAssertEqual(a.gamma.global.evaluatedVoxels, b.gamma.global.evaluatedVoxels, a.caseId)
            XCTAssertEqual(a.gamma.ptvRegion?.passRate, b.gamma.ptvRegion?.passRate, a.caseId)
            XCTAssertNil(a.gamma.global.mean)
            XCTAssertNil(a.gamma.global.median)
            XCTAssertNotNil(b.gamma.global.mean)
        }
        let text = EvaluationText.render(fast.record, plan: fast.plan, recordFile: nil, alreadyRecorded: false)
        XCTAssertTrue(text.contains("pass rate only (no γ mean, median or max)"), text)
        let json = try JSONValue.parse(fast.record.bytes())
        XCTAssertEqual(json["gammaStatistics"]?.stringValue, "pass-rate")
    }

    func testFilesNotNamedAsPredictionsAreNamed() async throws {
        let folder = try predict(cases(.test))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder).appendingPathComponent("notes.txt"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(cases(.test)[0]).npz"))
        let outcome = try await EvaluateWorkflow.run(request(folder))
        XCTAssertEqual(outcome.plan.unrecognisedFiles, ["\(cases(.test)[0]).npz", "notes.txt"])
        XCTAssertTrue(EvaluationText.render(outcome.record, plan: outcome.plan, recordFile: nil, alreadyRecorded: false)
            .contains("not read (not named <caseId>_pred.npz): \(cases(.test)[0]).npz, notes.txt"))
    }

    /// A reference whose dose changed after the freeze no longer hashes to what the split locked.
    func testAChangedReferenceIsRefused() async throws {
        let test = cases(.test)
        let folder = try predict(test)
        let copies = work.appendingPathComponent("references")
        try FileManager.default.createDirectory(at: copies, withIntermediateDirectories: true)
        for caseId in test { try FileManager.default.copyItem(atPath: try file(of: caseId), toPath: copies.appendingPathComponent("\(caseId).npz").path) }
        let victim = copies.appendingPathComponent("\(test[0]).npz").path
        let archive = try NPZArchive(path: victim)
        let members = try archive.keys.map { key -> (key: String, content: NPZContent) in
            guard key == "dose" else { return (key, try archive.readContent(key)) }
            let dose = try archive.read(key)
            return (key, .array(try NPYArray(shape: dose.shape, elements: try dose.elements(as: Float.self, casting: .sameKind).map { $0 * 1.01 })))
        }
        try NPZWriter.write(members: members, to: victim)
        do {
            _ = try await EvaluateWorkflow.run(request(folder, references: [copies.path]))
            XCTFail("a changed reference must be refused")
        } catch let error as EvaluationError {
            guard case let .referenceChanged(caseId, file, expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(caseId, test[0])
            XCTAssertEqual(file, victim)
            XCTAssertEqual(expected, split.identity.cases.first { $0.caseId == test[0] }?.caseHash)
        }
        // The untouched copies evaluate.
        try FileManager.default.removeItem(atPath: victim)
        let outcome = try await EvaluateWorkflow.run(request(folder, references: [copies.path]))
        XCTAssertEqual(outcome.record.identity.cases.count, test.count - 1)
        XCTAssertEqual(outcome.plan.missingReferences, [test[0]])
        XCTAssertTrue(outcome.isIncomplete)
    }

    func testUnpinnedEvaluationPairsFilesByCaseIdAndWritesNothing() async throws {
        let test = cases(.test)
        let folder = try predict(Array(test.prefix(1)))
        let outcome = try await EvaluateWorkflow.run(EvaluateRequest(references: [try file(of: test[0]), try file(of: test[1])], predictions: folder,
                                                                     workspace: space, subsample: 4))
        XCTAssertEqual(outcome.record.identity.cases.map(\.caseId), [test[0]])
        XCTAssertEqual(outcome.plan.missingPredictions, [test[1]])
        XCTAssertNil(outcome.recordFile)
        XCTAssertNil(outcome.record.identity.settings.datasetVersion)
        XCTAssertEqual(space.files(in: "evaluations").count, 0)
    }
}

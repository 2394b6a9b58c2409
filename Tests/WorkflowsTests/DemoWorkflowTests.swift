import Evaluation
import Support
import Engine
import Foundation
import Lineage
import Phantoms
import SharedCohort
import Workflows
import XCTest

/// `dosecurate demo`: its first half is the reference cohort's (the repository's reference
/// records), and the whole path runs on a small cohort with a quick model.
final class DemoWorkflowTests: XCTestCase {
    func testTheDemosFirstHalfMakesTheReferenceRecords() throws {
        let demo = DemoRequest.cohort, reference = CohortFixture.options
        XCTAssertEqual(demo.cleanCases, reference.cleanCases)
        XCTAssertEqual(demo.defects, reference.defects)
        XCTAssertEqual(demo.institutions, reference.institutions)
        XCTAssertEqual(demo.size.name, reference.size.name)
        XCTAssertEqual(demo.seed, reference.seed)
        let split = try JSONValue.parse([UInt8](Data(contentsOf: SchemaValidation.packageRoot.appendingPathComponent("splits/reference@1.json"))))
        XCTAssertEqual(split["name"]?.stringValue, DemoWorkflow.splitName)
        XCTAssertEqual(split["identity"]?["ratios"], try JSONValue(encoding: DemoWorkflow.splitRatios))
        XCTAssertEqual(split["identity"]?["seed"]?.intValue, 0)
    }

    func testTheWholePathRunsAndSaysWhereEveryRecordIs() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cohort = CohortPlan.Options(cleanCases: 6, defects: [.femurSwap], institutions: ["A", "B"], size: .small, seed: 3)
        let training = TrainingConfiguration(preset: .tiny, depth: 2, patch: [56, 56, 40], batchSize: 2, epochs: 1, patchesPerVolume: 1,
                                             learningRate: 1e-3, patience: nil, seed: 1, threads: 2)
        let texts = TextLog()
        let outcome = try await DemoWorkflow.run(DemoRequest(workspace: folder.path, cohort: cohort, training: training, threads: 2)) { event in
            if case let .text(text) = event { texts.append(text) }
        }
        let space = try Workspace(path: folder.path, create: false)
        XCTAssertEqual(outcome.seconds.map(\.step), ["phantoms", "audit + freeze", "split", "train", "predict", "evaluate", "report", "records"])
        let version = try DatasetRevision.resolve(outcome.dataset, in: space)
        XCTAssertEqual(version.identity.excluded.map(\.reason), [.auditErrors], "the swapped femurs are excluded")
        XCTAssertTrue(space.exists(RunFiles.record(outcome.runId)))
        XCTAssertTrue(space.exists(RunFiles.result(outcome.runId)))
        // The workspace a user gets verifies clean, its run and the artifacts the run lists included.
        let verification = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(verification.findings, [])
        XCTAssertGreaterThanOrEqual(verification.records, 5, "version, split, run.json, result.json, evaluation")
        let record = try XCTUnwrap(outcome.evaluationRecord)
        XCTAssertTrue(space.exists(record), record)
        let all = texts.joined
        XCTAssertTrue(all.contains("labels.femur_laterality"), "the audit's findings are shown")
        XCTAssertTrue(all.contains(record), "the summary names the evaluation record")
        // The summary says how good the model is: one epoch of a depth-2 model is not there yet.
        let evaluation = try EvaluationRecord.read(space.file(record))
        XCTAssertEqual(outcome.verdict, ModelVerdict(evaluation))
        XCTAssertEqual(try XCTUnwrap(outcome.verdict.meanAbsoluteD95ErrorGy), try XCTUnwrap(evaluation.identity.aggregate.ptv70D95AbsoluteErrorGy.mean),
                       accuracy: 1e-12)
        XCTAssertFalse(outcome.verdict.shortfalls.isEmpty, outcome.verdict.text)
        XCTAssertTrue(all.contains(outcome.verdict.text) && outcome.verdict.text.contains("verdict: not there yet"), outcome.verdict.text)
        // The demo ends with the evaluation's report, every figure drawn, and says where it is.
        XCTAssertTrue(all.contains(outcome.report) && all.contains(outcome.auditReport) && all.contains(outcome.versionReport), "the summary names the reports")
        let audit = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outcome.auditReport)), as: UTF8.self)
        XCTAssertTrue(audit.contains("labels.femur_laterality"), "the audit report lists the swapped femurs")
        let versionPage = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outcome.versionReport)), as: UTF8.self)
        XCTAssertTrue(versionPage.contains("Split reference@1") && versionPage.contains("figure-ptv70-volumes"), "the version report shows its split and volumes")
        let page = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outcome.report)), as: UTF8.self)
        for figure in ["training-curves", "colourwash-", "difference-", "dvh-", "gamma-pass-rates", "per-case-distributions", "acceptance",
                       "femur-asymmetry", "gamma-case"] {
            XCTAssertTrue(page.contains("id=\"figure-\(figure)"), "figure \(figure) is in the demo's report")
        }

        // The demo never writes over anything.
        do {
            _ = try await DemoWorkflow.run(DemoRequest(workspace: folder.path, cohort: cohort, training: training, threads: 2)) { _ in }
            XCTFail("a non-empty workspace must be refused")
        } catch {
            XCTAssertEqual((error as? LineageError)?.code, "lineage.workspace_unusable", "\(error)")
            guard case let .workspaceUnusable(path, _)? = error as? LineageError else { return }
            XCTAssertEqual(path, folder.path)
        }
    }
}

private final class TextLog: @unchecked Sendable {
    private var texts: [String] = []
    private let lock = NSLock()
    func append(_ text: String) { lock.lock(); texts.append(text); lock.unlock() }
    var joined: String { lock.lock(); defer { lock.unlock() }; return texts.joined(separator: "\n") }
}

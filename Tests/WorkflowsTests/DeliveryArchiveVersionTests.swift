import Engine
import Evaluation
import Foundation
import Lineage
import SharedCohort
import Workflows
import XCTest

/// A version frozen from a `.tar.gz` delivery (cases never unpacked by the user) goes through the
/// whole pinned path: train → predict → evaluate → verify. Its cases are read through verified
/// copies in the workspace cache; records keep naming `ARCHIVE!member`.
final class DeliveryArchiveVersionTests: XCTestCase {
    func testAVersionFrozenFromATarGzTrainsPredictsEvaluatesAndVerifies() async throws {
        _ = try await CohortFixture.truth()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-archive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let stage = work.appendingPathComponent("stage")
        // Six cases keep the test short; the path is what is tested.
        try CohortFixture.copyCleanCases(6, to: stage)
        let archive = work.appendingPathComponent("delivery.tar.gz").path
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", archive, "-C", stage.path, "."]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        try FileManager.default.removeItem(at: stage)

        let space = try Workspace(path: work.appendingPathComponent("workspace").path, create: true)
        let frozen = try await FreezeWorkflow.run(FreezeRequest(paths: [archive], workspace: space))
        let dataset = frozen.revision.id
        XCTAssertFalse(frozen.revision.dataset.context.files.isEmpty)
        XCTAssertTrue(frozen.revision.dataset.context.files.allSatisfy { $0.path.contains("delivery.tar.gz!") })
        _ = try SplitBook.lock(.init(name: "main", dataset: dataset, ratios: .init(train: 50, val: 0, test: 50), strata: []), in: space)

        var configuration = TrainWorkflowTests.quick
        configuration.epochs = 1
        let trained = try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: configuration,
                                                                 runId: "archive"))
        XCTAssertFalse(trained.trainCases.isEmpty)

        let selection = SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test)
        let pinned = try await selection.resolve()
        XCTAssertTrue(pinned.cases.allSatisfy { $0.file.contains(".dosecurate/cache/cases/\($0.caseHash).npz") })
        guard case .archiveMember? = pinned.cases.first?.location else { return XCTFail("the location stays the archive member") }

        let weights = space.file("\(trained.runDirectory)/\(trained.training.lastCheckpoint)")
        let predictions = work.appendingPathComponent("predictions").path
        let predicted = try await PredictWorkflow.run(PredictRequest(weightsPath: weights, cases: .pinned(selection), outputDirectory: predictions,
                                                                     window: SlidingWindow(patch: [112, 112, 80]), threads: 2))
        XCTAssertEqual(predicted.written.map(\.caseId).sorted(), pinned.cases.map(\.caseId))
        let evaluated = try await EvaluateWorkflow.run(EvaluateRequest(references: [], predictions: predictions, selection: selection,
                                                                       workspace: space, subsample: 4))
        XCTAssertEqual(evaluated.record.identity.cases.map(\.caseId).sorted(), pinned.cases.map(\.caseId))
        XCTAssertTrue(evaluated.record.context.files.allSatisfy { $0.reference.contains("delivery.tar.gz!") })

        // The workspace, run folder included, verifies clean.
        let report = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(report.findings, [])

        // A copy edited in the cache is not trusted: it is made again from the archive.
        let copy = try XCTUnwrap(pinned.cases.first).file
        try Data([0x50, 0x4B]).write(to: URL(fileURLWithPath: copy))
        let again = try await selection.resolve()
        XCTAssertEqual(again.cases.map(\.caseHash), pinned.cases.map(\.caseHash))
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: copy)[.size] as? Int) ?? 0, 2)
    }
}

import Support
import DoseCase
import Engine
import Foundation
import Lineage
import Workflows
import XCTest

/// `export --format hdf5` on the frozen clean cohort: exactly the split's train and val cases,
/// arrays equal to the cases', the version and split recorded, channels harmonised.
final class ExportWorkflowTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-export")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    func testExportsTheTrainingCasesWithTheirArraysAndProvenance() async throws {
        let path = work.appendingPathComponent("cache.h5").path
        let outcome = try await ExportWorkflow.run(workspace: space, dataset: dataset, split: "main", to: path)
        let split = try SplitRevision.resolve("main", in: space)
        let training = split.identity.cases.filter { $0.role == .train || $0.role == .val }.map(\.caseId).sorted()
        XCTAssertEqual(outcome.cases.map(\.caseId).sorted(), training, "train and val cases, never test")
        XCTAssertFalse(training.isEmpty)
        let storedIds = try JSONValue.parse(Array(TrainingCacheReader(path: path).attribute("case_ids").utf8)).arrayValue?.compactMap(\.stringValue)
        XCTAssertEqual(storedIds?.sorted(), training)
        XCTAssertEqual(try TrainingCacheReader(path: path).attribute("split"), split.reference)
        XCTAssertTrue(try TrainingCacheReader(path: path).attribute("dataset_version").hasPrefix(dataset))
        XCTAssertEqual(outcome.inputChannels.first, "CT")

        let revision = try DatasetRevision.resolve(dataset, in: space)
        let largest = outcome.inputChannels.count - 1
        for item in outcome.cases {
            let entry = try XCTUnwrap(revision.dataset.context.files.first { $0.caseId == item.caseId })
            let opened = try DoseCase.open(path: space.location(ofRecorded: entry.path).name)
            let ct = try opened.volume("ct"), dose = try opened.volume("dose")
            let extent = ct.shape.dimensions
            let box = try TrainingCacheReader(path: path).readBox(caseId: item.caseId, array: "input", start: [0, 0, 0], size: extent)
            XCTAssertEqual(Array(box.prefix(ct.shape.voxelCount)), ct.elements, "\(item.caseId): CT")
            XCTAssertEqual(try TrainingCacheReader(path: path).readBox(caseId: item.caseId, array: "dose", start: [0, 0, 0], size: extent),
                           dose.elements, "\(item.caseId): dose")
            XCTAssertEqual(item.filledChannels.count, largest - opened.channels.count, "\(item.caseId): missing channels filled")
        }
    }

    func testRefusesAVersionTheWorkspaceDoesNotHold() async throws {
        do {
            _ = try await ExportWorkflow.run(workspace: space, dataset: "dsv-000000000000", split: "main", to: work.appendingPathComponent("x.h5").path)
            XCTFail("an unknown version must be refused")
        } catch {
            XCTAssertEqual((error as? LineageError)?.code, "lineage.unknown_dataset", "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.h5").path))
    }
}

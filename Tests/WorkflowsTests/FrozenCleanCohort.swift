import Foundation
import Lineage
import SharedCohort
import Workflows

/// The shared cohort's clean cases frozen and split 50/0/50 as "main", once per test run (the
/// audit is the slow part); tests copy `folder/workspace` and work on the copy.
enum FrozenCleanCohort {
    static let shared = Task { () throws -> (folder: URL, dataset: String) in
        _ = try await CohortFixture.truth()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-evaluate-\(UUID().uuidString)")
        let delivery = folder.appendingPathComponent("delivery")
        try CohortFixture.copyCleanCases(to: delivery)
        let space = try Workspace(path: folder.appendingPathComponent("workspace").path, create: true)
        let frozen = try await FreezeWorkflow.run(FreezeRequest(paths: [delivery.path], workspace: space))
        _ = try SplitBook.lock(.init(name: "main", dataset: frozen.revision.id, ratios: .init(train: 50, val: 0, test: 50), strata: []), in: space)
        return (folder, frozen.revision.id)
    }

    /// A fresh folder holding a copy of the frozen workspace: (folder, workspace, dataset id).
    static func copy(named prefix: String) async throws -> (folder: URL, space: Workspace, dataset: String) {
        let frozen = try await shared.value
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: frozen.folder.appendingPathComponent("workspace"), to: folder.appendingPathComponent("workspace"))
        return (folder, try Workspace(path: folder.appendingPathComponent("workspace").path, create: false), frozen.dataset)
    }

    /// The file the version `dataset` records for `caseId`, in `space`.
    static func file(of caseId: String, dataset: String, in space: Workspace) throws -> String {
        let revision = try DatasetRevision.resolve(dataset, in: space)
        guard let entry = revision.dataset.context.files.first(where: { $0.caseId == caseId }) else {
            throw LineageError.invalidRecord(path: revision.fileName, reason: "no file recorded for \(caseId)")
        }
        return space.location(ofRecorded: entry.path).name
    }
}

import Foundation
import Lineage
import XCTest

/// The workspace store: all-or-nothing commits through the journal, never replacing a record,
/// and recorded paths relative to the workspace.
final class WorkspaceTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-workspace-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func testCommitPublishesEveryFileAndLeavesNoJournal() throws {
        let workspace = try Workspace(path: folder.path, create: true)
        let lock = try workspace.lock(.exclusive)
        try workspace.commit([("audits/x.json", Array("{}\n".utf8)), ("datasets/x@1.json", Array("[]\n".utf8))])
        withExtendedLifetime(lock) {}
        XCTAssertEqual(try workspace.read("audits/x.json"), Array("{}\n".utf8))
        XCTAssertEqual(try workspace.read("datasets/x@1.json"), Array("[]\n".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/.dosecurate/journal"), [])
    }

    func testARecordIsNeverReplaced() throws {
        let workspace = try Workspace(path: folder.path, create: true)
        let lock = try workspace.lock(.exclusive)
        try workspace.commit([("datasets/x@1.json", Array("1".utf8))])
        XCTAssertThrowsError(try workspace.commit([("audits/y.json", Array("2".utf8)), ("datasets/x@1.json", Array("2".utf8))])) { error in
            XCTAssertEqual(error as? LineageError, .recordExists(path: workspace.file("datasets/x@1.json")), "the record that exists is named")
        }
        withExtendedLifetime(lock) {}
        XCTAssertEqual(try workspace.read("datasets/x@1.json"), Array("1".utf8))
        XCTAssertFalse(workspace.exists("audits/y.json"), "a refused commit publishes nothing")
    }

    /// A journal with its plan written is finished by the next lock; one without is discarded.
    func testRecoveryFinishesCommittedJournalsAndDropsUncommittedOnes() throws {
        let workspace = try Workspace(path: folder.path, create: true)
        let journal = folder.appendingPathComponent(".dosecurate/journal")
        let committed = journal.appendingPathComponent("1-1"), staged = journal.appendingPathComponent("2-2")
        for transaction in [committed, staged] { try FileManager.default.createDirectory(at: transaction, withIntermediateDirectories: true) }
        // Crashed after renaming the first of two files.
        try Data("second".utf8).write(to: committed.appendingPathComponent("1"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("audits"), withIntermediateDirectories: true)
        try Data("first".utf8).write(to: folder.appendingPathComponent("audits/a.json"))
        try Data(#"["audits/a.json","datasets/a@1.json"]"#.utf8).write(to: committed.appendingPathComponent("plan.json"))
        // Crashed while staging.
        try Data("orphan".utf8).write(to: staged.appendingPathComponent("0"))

        _ = try workspace.lock(.shared)
        XCTAssertEqual(try workspace.read("datasets/a@1.json"), Array("second".utf8))
        XCTAssertEqual(try workspace.read("audits/a.json"), Array("first".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: journal.path), [])
    }

    func testRecordedNamesAreRelativeInsideTheWorkspaceAndAbsoluteOutside() throws {
        let workspace = try Workspace(path: folder.path, create: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("cohort/A"), withIntermediateDirectories: true)
        let inside = folder.appendingPathComponent("cohort/A/case.npz")
        FileManager.default.createFile(atPath: inside.path, contents: Data())
        XCTAssertEqual(workspace.recordedName(for: .file(inside.path)), "cohort/A/case.npz")
        XCTAssertEqual(workspace.recordedName(for: .file(folder.path + "/cohort/../cohort/A/case.npz")), "cohort/A/case.npz")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("elsewhere-\(UUID().uuidString).npz")
        FileManager.default.createFile(atPath: outside.path, contents: Data())
        defer { try? FileManager.default.removeItem(at: outside) }
        XCTAssertTrue(workspace.recordedName(for: .file(outside.path)).hasPrefix("/"))
        XCTAssertEqual(workspace.recordedName(for: .archiveMember(archive: folder.path + "/d.tar.gz", member: "A/c.npz")), "d.tar.gz!A/c.npz")
    }

    func testAFileIsNotAWorkspace() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("plain")
        FileManager.default.createFile(atPath: file.path, contents: Data())
        XCTAssertThrowsError(try Workspace(path: file.path, create: true)) {
            XCTAssertEqual(($0 as? LineageError)?.code, "lineage.workspace_unusable", "\($0)")
            guard case let .workspaceUnusable(path, _)? = $0 as? LineageError else { return }
            XCTAssertEqual(path, file.path)
        }
        XCTAssertThrowsError(try Workspace(path: folder.path + "/missing", create: false)) {
            XCTAssertEqual(($0 as? LineageError)?.code, "lineage.workspace_unusable", "\($0)")
            guard case let .workspaceUnusable(path, _)? = $0 as? LineageError else { return }
            XCTAssertEqual(path, folder.path + "/missing")
        }
    }
}

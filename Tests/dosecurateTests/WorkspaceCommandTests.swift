import Foundation
import SharedCohort
import XCTest

/// The workspace behaves like a git repository: `init` makes one, commands find it from any
/// folder below, reading commands refuse a folder that is not one (creating nothing), and
/// writing commands make one and say so.
final class WorkspaceCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-workspace-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: work) }

    private func dosecurate(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: folder ?? work,
                            environment: ["XDG_CACHE_HOME": work.appendingPathComponent("user-cache").path].merging(environment) { _, new in new })
    }

    private func entries(_ folder: URL) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() }

    func testVerifyOutsideAWorkspaceRefusesAndCreatesNothing() throws {
        let outside = work.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let result = try dosecurate(["verify"], in: outside)
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.errors.contains("not in a dosecurate workspace") && result.errors.contains("dosecurate init"), result.errors)
        XCTAssertEqual(entries(outside), [])

        let named = try dosecurate(["verify", "--workspace", outside.path], in: work)
        XCTAssertEqual(named.status, 2)
        XCTAssertTrue(named.errors.contains("is not a dosecurate workspace"), named.errors)
        XCTAssertEqual(entries(outside), [])
    }

    func testInitThenCommandsFindTheWorkspaceFromBelowAndFromTheEnvironment() throws {
        let created = try dosecurate(["init", "ws"])
        XCTAssertEqual(created.status, 0, created.errors)
        XCTAssertTrue(created.output.contains("created a workspace"), created.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("ws/.dosecurate/workspace.json").path))
        XCTAssertTrue(try dosecurate(["init", "ws"]).output.contains("already a workspace"))

        let below = work.appendingPathComponent("ws/notes/deeper")
        try FileManager.default.createDirectory(at: below, withIntermediateDirectories: true)
        let found = try dosecurate(["verify"], in: below)
        XCTAssertEqual(found.status, 0, found.errors)
        XCTAssertEqual(entries(below), [], "nothing written where the command ran")

        let viaEnvironment = try dosecurate(["verify"], in: work, environment: ["DOSECURATE_WORKSPACE": work.appendingPathComponent("ws").path])
        XCTAssertEqual(viaEnvironment.status, 0, viaEnvironment.errors)
    }

    /// `audit` outside any workspace caches in the user's cache folder, never where it runs.
    func testAuditOutsideAWorkspaceWritesNothingWhereItRuns() async throws {
        _ = try await CohortFixture.truth()
        let outside = work.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let audited = try dosecurate(["audit", "--quiet", CohortFixture.path(CohortFixture.cleanEntries[0].fileName)], in: outside)
        XCTAssertEqual(audited.status, 0, audited.errors)
        XCTAssertEqual(entries(outside), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("user-cache/dosecurate/audit").path))
    }

    /// A workspace made before the marker existed (records, no marker) keeps working; `init` marks it.
    func testAWorkspaceWithRecordsButNoMarkerWorksAndInitUpgradesIt() throws {
        let old = work.appendingPathComponent("old")
        try FileManager.default.createDirectory(at: old.appendingPathComponent("evaluations"), withIntermediateDirectories: true)
        try Data("{}\n".utf8).write(to: old.appendingPathComponent("evaluations/0123456789abcdef.json"))
        let verified = try dosecurate(["verify"], in: old)
        XCTAssertEqual(verified.status, 1, "found, and its unreadable record reported: \(verified.output)")
        XCTAssertTrue(verified.output.contains("evaluations/0123456789abcdef.json"), verified.output)
        let upgraded = try dosecurate(["init"], in: old)
        XCTAssertTrue(upgraded.output.contains("marked"), upgraded.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: old.appendingPathComponent(".dosecurate/workspace.json").path))
    }

    /// `status` names a changed, a missing and a new case file; `list` shows the version with its
    /// split and a labelled evaluation.
    func testStatusReportsNewChangedAndMissingFilesAndListShowsTheTree() async throws {
        _ = try await CohortFixture.truth()
        let entries = Array(CohortFixture.cleanEntries.prefix(4)).map { (fileName: $0.fileName, caseId: (($0.fileName as NSString).lastPathComponent as NSString).deletingPathExtension) }
        let cohort = work.appendingPathComponent("cohort")
        try FileManager.default.createDirectory(at: cohort, withIntermediateDirectories: true)
        for entry in entries.prefix(3) {
            try FileManager.default.copyItem(atPath: CohortFixture.path(entry.fileName), toPath: cohort.appendingPathComponent("\(entry.caseId).npz").path)
        }
        XCTAssertEqual(try dosecurate(["init"]).status, 0)
        let frozen = try dosecurate(["freeze", "cohort", "--quiet"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        let clean = try dosecurate(["status"])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.output.contains("nothing changed"), clean.output)

        let (changed, missing) = (entries[0].caseId, entries[1].caseId)
        let changedFile = cohort.appendingPathComponent("\(changed).npz")
        try FileManager.default.removeItem(at: changedFile)
        try FileManager.default.copyItem(atPath: CohortFixture.path(entries[2].fileName), toPath: changedFile.path)
        try FileManager.default.removeItem(at: cohort.appendingPathComponent("\(missing).npz"))
        try FileManager.default.copyItem(atPath: CohortFixture.path(entries[3].fileName), toPath: cohort.appendingPathComponent("extra.npz").path)
        let status = try dosecurate(["status"])
        XCTAssertEqual(status.status, 1, status.output)
        XCTAssertTrue(status.output.contains("modified  \(changed): cohort/\(changed).npz changed since"), status.output)
        XCTAssertTrue(status.output.contains("deleted  \(missing): cohort/\(missing).npz is missing"), status.output)
        XCTAssertTrue(status.output.contains("new  cohort/extra.npz"), status.output)

        let version = try XCTUnwrap(frozen.output.split(separator: "\n").last.map { String($0.split(separator: "@")[0]) })
        XCTAssertEqual(try dosecurate(["split", "lock", "main", "--dataset", String(version.prefix(8)), "--quiet"]).status, 0)
        let listed = try dosecurate(["list"])
        XCTAssertEqual(listed.status, 0, listed.errors)
        XCTAssertTrue(listed.output.hasPrefix("\(version), 3 cases"), listed.output)
        XCTAssertTrue(listed.output.contains("├─ revision @1"), listed.output)
        XCTAssertTrue(listed.output.contains("└─ split main  revisions @1"), listed.output)
    }
}

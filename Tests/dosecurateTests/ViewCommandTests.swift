import Foundation
import SharedCohort
import Support
import XCTest

/// `dosecurate view` as a user runs it: outside any workspace, the page lands as <caseId>.html in
/// the current folder (or where -o says) and nothing else is created; a missing or unreadable case
/// exits 2 saying which file and why.
final class ViewCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-view-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try CohortFixture.copyCleanCases(1, to: work)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work)
    }

    /// Every file under `work`, relative to it.
    private func files() -> Set<String> {
        Set((FileManager.default.enumerator(atPath: work.path)?.allObjects as? [String] ?? []).filter { path in
            var folder: ObjCBool = false
            return FileManager.default.fileExists(atPath: work.appendingPathComponent(path).path, isDirectory: &folder) && !folder.boolValue
        })
    }

    func testViewWritesCaseIdHTMLHereAndCreatesNoWorkspace() throws {
        let caseFile = try XCTUnwrap(CohortFixture.cleanEntries.first).fileName
        let before = files()
        let viewed = try dosecurate(["view", caseFile, "--json"])
        XCTAssertEqual(viewed.status, 0, viewed.errors)
        let outcome = try JSONValue.parse(Array(viewed.output.utf8))
        let caseId = try XCTUnwrap(outcome["caseId"]?.stringValue)
        XCTAssertEqual(files(), before.union(["\(caseId).html"]), "the page and nothing else: no workspace, no cache")
        XCTAssertEqual(outcome["page"]?.stringValue, work.appendingPathComponent("\(caseId).html").resolvingSymlinksInPath().path)
        XCTAssertEqual(outcome["findings"]?.intValue, 0, "a clean phantom's audit finds nothing")
        let page = String(decoding: try Data(contentsOf: work.appendingPathComponent("\(caseId).html")), as: UTF8.self)
        XCTAssertTrue(page.contains("<h1>\(caseId)</h1>"))
        XCTAssertTrue(page.contains("No findings: every check passed."), "the case was audited")
        XCTAssertTrue(page.contains("data-layer=\"ct\"") && page.contains("data-layer=\"dose\"") && page.contains("data-layer=\"structures-0\""))

        let nowhere = try dosecurate(["view", caseFile, "-o", "no-such-folder/viewer.html", "--quiet"])
        XCTAssertEqual(nowhere.status, 2, "a folder that does not exist cannot hold the page")
        XCTAssertTrue(nowhere.errors.contains("no-such-folder/viewer.html: its folder does not exist"), nowhere.errors)
        let written = try dosecurate(["view", caseFile, "--output", "viewer.html", "--quiet"])
        XCTAssertEqual(written.status, 0, written.errors)
        XCTAssertEqual(written.output, "view: \(work.appendingPathComponent("viewer.html").resolvingSymlinksInPath().path)\n")
        XCTAssertTrue(files().contains("viewer.html"))
    }

    func testAMissingOrUnreadableCaseExitsTwoNamingIt() throws {
        let missing = try dosecurate(["view", "no-such-case.npz"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("no-such-case.npz: no such file"), missing.errors)
        try Data("not a zip archive".utf8).write(to: work.appendingPathComponent("broken.npz"))
        let broken = try dosecurate(["view", "broken.npz"])
        XCTAssertEqual(broken.status, 2)
        XCTAssertTrue(broken.errors.contains("broken.npz: cannot be read as a case"), broken.errors)
        XCTAssertFalse(files().contains { $0.hasSuffix(".html") }, "no page for a case that cannot be read")
    }
}

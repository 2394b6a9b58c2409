import Foundation
import NumpyFormat
import SharedCohort
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Hostile input through the real binary: each fixture (made by Fixtures/make_hostile_fixtures.py)
/// once crashed, hung, wrote outside its folder or was accepted silently. Every run here holds a
/// readable case beside the hostile one, so the test also sees the rest of the run reported.
final class HostileInputTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/hostile")
    private var work: URL!

    override func setUpWithError() throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        // Loops and FIFOs are removed as links and entries, never followed.
        try? FileManager.default.removeItem(at: work)
    }

    private func run(_ arguments: [String], in directory: URL? = nil) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: directory ?? work)
    }

    /// A folder under the work folder holding the readable case and the named fixtures.
    private func folder(_ name: String, with fixtures: [String]) throws -> URL {
        let folder = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in ["good_case.npz"] + fixtures {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        return folder
    }

    private func report(_ result: TestProcess.Result) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], result.errors)
    }

    private func cases(_ report: [String: Any]) -> [String: [[String: Any]]] {
        var byFile: [String: [[String: Any]]] = [:]
        for audit in report["cases"] as? [[String: Any]] ?? [] {
            byFile[((audit["file"] as? String) ?? "") .split(separator: "/").last.map(String.init) ?? ""] = audit["findings"] as? [[String: Any]] ?? []
        }
        return byFile
    }

    private func messages(_ findings: [[String: Any]]?, check: String) -> [String] {
        (findings ?? []).filter { $0["check"] as? String == check }.compactMap { $0["message"] as? String }
    }

    private func skipped(_ report: [String: Any]) -> [(path: String, reason: String)] {
        (report["skipped"] as? [[String: String]] ?? []).map { ($0["path"] ?? "", $0["reason"] ?? "") }
    }

    /// An `.npy` header length of 0 or 1 once made the reader trap (SIGILL), losing the whole run.
    func testHeaderLengthsTooShortForADictAreReadFailuresOfThatCaseAlone() throws {
        let cohort = try folder("short-headers", with: ["header_length_0.npz", "header_length_1.npz"])
        let result = try run(["audit", "--no-cache", "--json", cohort.path])
        XCTAssertEqual(result.status, 1, result.errors)
        let byFile = cases(try report(result))
        XCTAssertEqual(byFile.keys.sorted(), ["good_case.npz", "header_length_0.npz", "header_length_1.npz"])
        for length in [0, 1] {
            let reasons = messages(byFile["header_length_\(length).npz"], check: "file.readable")
            XCTAssertEqual(reasons.count, 1, "\(byFile)")
            XCTAssertTrue(reasons.first?.contains("header_length_\(length).npz!dose.npy: not a .npy array (header length \(length) is too short") == true,
                          reasons.first ?? "")
        }
        XCTAssertTrue(messages(byFile["good_case.npz"], check: "file.readable").isEmpty)

        let inspected = try run(["inspect", cohort.appendingPathComponent("header_length_0.npz").path])
        XCTAssertEqual(inspected.status, 1, "an unreadable case, not a signal")
        XCTAssertTrue(inspected.output.contains("header_length_0.npz!dose.npy: not a .npy array (header length 0"), inspected.output)
    }

    /// `metadata.case_id = "../../escaped/pwned"`: an audit error, and no file is ever named after it.
    func testPathLikeCaseIdIsAnAuditErrorAndNeverNamesAFile() throws {
        let cohort = try folder("traversal", with: ["traversal_case_id.npz"])
        let audited = try run(["audit", "--no-cache", "--json", cohort.path])
        let byFile = cases(try report(audited))
        XCTAssertEqual(messages(byFile["traversal_case_id.npz"], check: "metadata.case_id"),
                       [#"case id "../../escaped/pwned" cannot name a file: it holds a path separator '/'"#])
        XCTAssertTrue(messages(byFile["good_case.npz"], check: "metadata.case_id").isEmpty)

        let weights = work.appendingPathComponent("w.safetensors").path
        XCTAssertEqual(try run(["model", "init", "--depth", "1", "--output", weights]).status, 0)
        let out = work.appendingPathComponent("out/preds")
        let predicted = try run(["predict", "--weights", weights, "--output", out.path, "--patch", "8",
                                 "--cases", cohort.appendingPathComponent("traversal_case_id.npz").path,
                                 "--cases", cohort.appendingPathComponent("good_case.npz").path])
        XCTAssertEqual(predicted.status, 1, predicted.errors)
        XCTAssertTrue(predicted.errors.contains(#"case id "../../escaped/pwned" cannot name a prediction file"#), predicted.errors)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["hostile_good_pred.npz"])

        let predictions = work.appendingPathComponent("out/synthetic")
        let synthetic = try run(["phantoms", cohort.path, "--predict-existing", "--predictions", predictions.path])
        XCTAssertEqual(synthetic.status, 1)
        XCTAssertTrue(synthetic.errors.contains(#"traversal_case_id.npz: case id "../../escaped/pwned" cannot name a file"#), synthetic.errors)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: predictions.path), ["hostile_good_pred.npz"])
        // Nothing anywhere under the work folder but what the commands were asked to write.
        let everything = FileManager.default.enumerator(atPath: work.path)?.compactMap { $0 as? String } ?? []
        XCTAssertFalse(everything.contains { $0.contains("pwned") || $0.contains("escaped") }, "\(everything)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.deletingLastPathComponent().appendingPathComponent("escaped").path))
    }

    /// A 6 KB file whose dose declares 12 GiB is refused before any buffer exists; so is any case
    /// over the per-case budget, which a policy can set.
    func testDeclaredSizesAreCheckedBeforeAllocation() throws {
        let cohort = try folder("declared", with: ["declares_12GiB_dose.npz"])
        let result = try run(["audit", "--no-cache", "--json", cohort.path])
        XCTAssertEqual(result.status, 1, result.errors)
        let byFile = cases(try report(result))
        XCTAssertEqual(byFile.keys.sorted(), ["declares_12GiB_dose.npz", "good_case.npz"])
        let refusal = messages(byFile["declares_12GiB_dose.npz"], check: "file.readable").first ?? ""
        XCTAssertTrue(refusal.contains("dose.npy: header declares 12884901888 bytes"), refusal)

        let policy = work.appendingPathComponent("budget.json")
        try Data(#"{"checks": {"file.readable": {"thresholds": {"caseBudgetGiB": 0.000001}}}}"#.utf8).write(to: policy)
        let tight = try run(["audit", "--no-cache", "--json", "--policy", policy.path, cohort.appendingPathComponent("good_case.npz").path])
        let overBudget = messages(cases(try report(tight))["good_case.npz"], check: "file.readable").first ?? ""
        XCTAssertTrue(overBudget.contains("over the per-case budget of 1073 bytes (file.readable caseBudgetGiB)"), overBudget)
    }

    /// A FIFO named like a case, two symlink loops, a second link to a case and a name that is not
    /// UTF-8: the walk ends, reads the one real case once and lists the rest under `skipped`.
    func testFolderWalkNeverBlocksLoopsOrRepeats() throws {
        let cohort = try folder("walk", with: [])
        XCTAssertEqual(mkfifo(cohort.appendingPathComponent("stuck.npz").path, 0o644), 0)
        try FileManager.default.createSymbolicLink(atPath: cohort.appendingPathComponent("up").path, withDestinationPath: ".")
        let sub = cohort.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: sub.appendingPathComponent("back").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: sub.appendingPathComponent("again.npz").path, withDestinationPath: "../good_case.npz")
        // "caf\xE9.npz": Latin-1, not UTF-8.
        let rawName = Array(cohort.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".npz".utf8) + [0]
        let descriptor = rawName.withUnsafeBufferPointer { open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644) }
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        close(descriptor)

        let result = try run(["audit", "--no-cache", "--json", cohort.path])
        XCTAssertEqual(result.status, 1, result.errors)
        let audit = try report(result)
        XCTAssertEqual(cases(audit).keys.sorted(), ["good_case.npz"])
        let reasons = Dictionary(skipped(audit).map { ($0.path.replacingOccurrences(of: cohort.path + "/", with: ""), $0.reason) },
                                 uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(reasons["stuck.npz"], "not a regular file (a FIFO); never opened")
        XCTAssertEqual(reasons["up"], "a folder already walked (a symbolic link loop or a second link to it)")
        XCTAssertEqual(reasons["sub/back"], "a folder already walked (a symbolic link loop or a second link to it)")
        XCTAssertEqual(reasons["sub/again.npz"], "the same file as \(cohort.path)/good_case.npz (a link); audited once")
        XCTAssertEqual(reasons[#"caf\xE9.npz"#], "the file name is not UTF-8")
        XCTAssertEqual(reasons.count, 5, "\(reasons)")
    }

    /// Archive entries that are not cases are listed, never read: a repeated name, a link, names
    /// that leave the archive. An archive with no case at all is exit 2, not a clean audit.
    func testArchiveEntriesThatAreNotCasesAreReported() throws {
        let duplicate = try run(["audit", "--no-cache", "--json", Self.fixtures.appendingPathComponent("duplicate_names.tar").path])
        let duplicateReport = try report(duplicate)
        XCTAssertEqual((duplicateReport["cases"] as? [Any])?.count, 1)
        XCTAssertFalse(messages(cases(duplicateReport)["good.npz"], check: "dataset.duplicates").contains { $0.contains("exact") },
                       "one case, so no duplicate of itself")
        XCTAssertEqual(skipped(duplicateReport).map(\.reason), ["a second member with this name; only the first is read"])

        let escaping = try report(try run(["audit", "--no-cache", "--json", Self.fixtures.appendingPathComponent("escaping_members.tar").path]))
        XCTAssertEqual((escaping["cases"] as? [[String: Any]])?.compactMap { $0["file"] as? String }.map { $0.hasSuffix("!cases/good.npz") }, [true])
        XCTAssertEqual(skipped(escaping).map { String($0.path.split(separator: "!").last ?? "") }, ["../outside.npz", "/abs/case.npz"])

        let links = try run(["audit", "--no-cache", Self.fixtures.appendingPathComponent("symlink_only.tar").path])
        XCTAssertEqual(links.status, 2)
        XCTAssertTrue(links.errors.contains("no .npz cases under"), links.errors)
        XCTAssertTrue(links.errors.contains("symlink_only.tar!cases/link.npz: a symbolic link; links are never followed"), links.errors)
    }

    /// A local ZIP64 size that disagrees with the central directory: refused from a file as it is
    /// from a tar, so one file never reads two ways.
    func testLocalHeaderThatDisagreesWithTheDirectoryIsRefused() throws {
        let result = try run(["audit", "--no-cache", "--json", Self.fixtures.appendingPathComponent("zip64_local_size_lie.npz").path])
        let refusal = messages(cases(try report(result))["zip64_local_size_lie.npz"], check: "file.readable").first ?? ""
        XCTAssertTrue(refusal.contains("dose.npy: the local header (CRC") && refusal.contains("disagrees with the central directory"), refusal)
    }

    /// Nothing to do is not success: an empty folder and a bare `dosecurate` exit 2.
    func testNothingToDoExitsTwo() throws {
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let audit = try run(["audit", empty.path])
        XCTAssertEqual(audit.status, 2)
        XCTAssertTrue(audit.errors.contains("no .npz cases under \(empty.path)"), audit.errors)
        let bare = try run([])
        XCTAssertEqual(bare.status, 2)
        XCTAssertTrue(bare.errors.contains("USAGE: dosecurate <subcommand>"), bare.errors)
    }

    /// 20 000 members: members are looked up by key, and the audit names the ones the spec lacks.
    func testManyUnknownMembersAreListedAndCounted() throws {
        var members: [(String, NPZContent)] = try (0..<20_000).map { ("extra_\($0)", .array(try NPYArray(shape: [1], elements: [UInt8(0)]))) }
        members.append(("ct", .array(try NPYArray(shape: [2, 2, 2], elements: [Float](repeating: 0.5, count: 8)))))
        let file = work.appendingPathComponent("many.npz").path
        try NPZWriter.write(members: members, to: file)
        XCTAssertEqual(try NPZArchive(path: file).member(named: "extra_19999").name, "extra_19999.npy")
        XCTAssertEqual(try NPZArchive(path: file).member(named: "ct.npy").key, "ct")

        let result = try run(["audit", "--no-cache", "--json", file])
        let unknown = try XCTUnwrap(cases(try report(result))["many.npz"]?.first { $0["check"] as? String == "format.keys" && ($0["message"] as? String)?.contains("spec does not define") == true })
        XCTAssertEqual((unknown["measured"] as? [String: Any])?["unknownCount"] as? Int, 20_000)
        XCTAssertTrue((unknown["message"] as? String)?.hasPrefix("20000 members the spec does not define: extra_0, extra_1") == true, "\(unknown)")
    }
}

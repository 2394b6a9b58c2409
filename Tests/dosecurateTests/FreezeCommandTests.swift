import Foundation
import Phantoms
import SharedCohort
import XCTest

/// `freeze` and `verify` as a user runs them: the acceptance scenario, crash safety at every step
/// of a freeze, and two freezes at once on one workspace.
final class FreezeCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-freeze-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String], environment: [String: String] = [:]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work, environment: environment)
    }

    /// Two clean cases from each institution, copied under `cohort/A` and `cohort/B`.
    private func makeCohort() throws {
        try CohortFixture.copyCleanCases(4, to: work.appendingPathComponent("cohort"))
    }

    private func contents(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(folder).path)) ?? []).sorted()
    }

    /// A tar holding one clean case twice under one name once counted two cases (a false exact
    /// duplicate) and froze a version `verify` could never pass; the second entry is passed over.
    func testATarWithOneNameTwiceFreezesOneCaseThatVerifies() throws {
        let entry = CohortFixture.cleanEntries[0]
        let tar = work.appendingPathComponent("delivery.tar").path
        try TestProcess.python("""
            import sys, tarfile
            with tarfile.open(sys.argv[1], "w") as archive:
                for _ in range(2):
                    archive.add(sys.argv[2], arcname="A/case.npz")
            """, [tar, CohortFixture.path(entry.fileName)])
        let frozen = try dosecurate(["freeze", tar, "--workspace", "ws"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        XCTAssertTrue(frozen.output.contains("kept 1 of 1 case"), frozen.output)
        let verified = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(verified.status, 0, verified.output + verified.errors)
        XCTAssertTrue(verified.output.contains("no drift"), verified.output)
    }

    /// The issue's "done when": a stable id, `verify` passing, and one changed voxel named with exit 1.
    func testFreezeVerifyAndAChangedVoxel() throws {
        try makeCohort()
        let first = try dosecurate(["freeze", "cohort", "--workspace", "ws"])
        XCTAssertEqual(first.status, 0, first.errors)
        let lines = first.output.split(separator: "\n")
        let id = try XCTUnwrap(lines.first?.split(separator: "@").first.map(String.init))
        XCTAssertTrue(id.hasPrefix("dsv-") && id.count == 20, first.output)
        XCTAssertTrue(lines[1].hasPrefix("kept 4 of 4 cases, excluded 0"), first.output)
        XCTAssertTrue(lines[1].contains("institutions: A 2, B 2"), first.output)
        XCTAssertEqual(contents("ws/datasets"), ["\(id)@1.json"])

        let again = try dosecurate(["freeze", "cohort", "--workspace", "ws", "--quiet"])
        XCTAssertEqual(again.status, 0)
        XCTAssertEqual(again.output, "\(id)@1\n")

        let verified = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(verified.status, 0, verified.output + verified.errors)
        XCTAssertTrue(verified.output.contains("no drift"), verified.output)

        let changed = CohortFixture.cleanEntries[1].fileName
        try TestProcess.python("""
            import sys, numpy as np
            z = dict(np.load(sys.argv[1], allow_pickle=True))
            z["dose"][10, 10, 10] += np.float32(0.5)
            np.savez_compressed(sys.argv[1], **z)
            """, [work.appendingPathComponent("cohort").appendingPathComponent(changed).path])
        let drift = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(drift.status, 1)
        let caseId = String(changed.split(separator: "/").last?.dropLast(4) ?? "")
        XCTAssertTrue(drift.output.contains("case-changed  \(caseId): ../cohort/\(changed)") || drift.output.contains("case-changed  \(caseId): "),
                      drift.output)
        let json = try dosecurate(["verify", "--workspace", "ws", "--json", "--deep"])
        XCTAssertEqual(json.status, 1)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(report["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.compactMap { $0["caseId"] as? String }, [caseId])
        XCTAssertEqual(report["deep"] as? Bool, true)
    }

    func testRefusalsExitTwoAndWriteNothing() throws {
        try makeCohort()
        let missing = try dosecurate(["freeze", "nowhere", "--workspace", "ws"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("no such file or directory: nowhere"), missing.errors)
        try "caseId,institution\ncase_0000,North\n".write(to: work.appendingPathComponent("map.csv"), atomically: true, encoding: .utf8)
        let unmapped = try dosecurate(["freeze", "cohort", "--workspace", "ws", "--institution-map", "map.csv"])
        XCTAssertEqual(unmapped.status, 2)
        XCTAssertTrue(unmapped.errors.contains("has no row for 3 cases"), unmapped.errors)
        let both = try dosecurate(["freeze", "cohort", "--institution", "X", "--institution-map", "map.csv"])
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(contents("ws/datasets"), [])
        let noWorkspace = try dosecurate(["verify", "--workspace", "absent"])
        XCTAssertEqual(noWorkspace.status, 2)
    }

    /// An audit report edited, with the SHA-256 in the dataset record's context rewritten to match
    /// (the context is not hashed): `verify` re-derives the audit digest the version's identity
    /// pins, names the report, and exits 1.
    func testVerifyFindsAnAuditEditedWithTheContextRewrittenToMatch() throws {
        try makeCohort()
        let artifact = try XCTUnwrap(CohortFixture.files(for: .d95ArtifactBlatant).first)
        try FileManager.default.copyItem(atPath: CohortFixture.path(artifact), toPath: work.appendingPathComponent("cohort/\(artifact)").path)
        let frozen = try dosecurate(["freeze", "cohort", "--workspace", "ws", "--quiet"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        let reference = frozen.output.trimmingCharacters(in: .newlines), id = String(reference.split(separator: "@")[0])
        XCTAssertEqual(try dosecurate(["verify", "--workspace", "ws"]).status, 0)

        try TestProcess.python("""
            import hashlib, json, sys
            record_path, report_path = sys.argv[1], sys.argv[2]
            report = json.load(open(report_path))
            finding = next(f for case in report["cases"] for f in case["findings"] if f["check"] == "dose.ptv_d95")
            finding["measured"]["d95Gy"] = 70.0
            finding["severity"] = "warning"
            data = (json.dumps(report, indent=2, sort_keys=True) + "\\n").encode()
            open(report_path, "wb").write(data)
            record = json.load(open(record_path))
            record["context"]["audit"]["reportSHA256"] = hashlib.sha256(data).hexdigest()
            open(record_path, "w").write(json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\\n")
            """, [work.appendingPathComponent("ws/datasets/\(reference).json").path, work.appendingPathComponent("ws/audits/\(id).json").path])
        let verified = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(verified.status, 1, verified.output + verified.errors)
        XCTAssertTrue(verified.output.contains("1 finding:"), verified.output)
        XCTAssertTrue(verified.output.contains("audit-changed  audits/\(id).json, the audit of \(reference), no longer holds the audit"), verified.output)
    }

    /// `verify` on a workspace it cannot write (an archive copy, a read-only mount) checks it as it
    /// stands and writes nothing; an interrupted commit it cannot finish is a finding. Permissions
    /// do not stop root, so as root the read-only runs go through `setpriv` as the unprivileged
    /// user nobody, for whom the root-owned, a-w files are read-only as on a read-only mount.
    func testVerifyReadsAWorkspaceItCannotWrite() throws {
        try makeCohort()
        XCTAssertEqual(try dosecurate(["freeze", "cohort", "--workspace", "ws", "--quiet"]).status, 0)
        let more = work.appendingPathComponent("more/C/solo.npz")
        try FileManager.default.createDirectory(at: more.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CohortFixture.path(CohortFixture.cleanEntries[4].fileName), toPath: more.path)
        let crashed = try dosecurate(["freeze", "more", "--workspace", "ws", "--quiet"], environment: ["DOSECURATE_TEST_CRASH_AT": "commit"])
        XCTAssertEqual(crashed.status, 86, crashed.errors)
        // The records as a git checkout holds them: no .dosecurate, so no lock file and no cache.
        for folder in ["datasets", "audits"] {
            try FileManager.default.createDirectory(at: work.appendingPathComponent("checkout"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: work.appendingPathComponent("ws/\(folder)"), to: work.appendingPathComponent("checkout/\(folder)"))
        }

        try setWritable(false, ["ws", "checkout", "cohort", "more"])
        defer { try? setWritable(true, ["ws", "checkout", "cohort", "more"]) }
        let before = try snapshot("ws"), checkoutBefore = try snapshot("checkout")
        let pending = try dosecurateUnableToWrite(["verify", "--workspace", "ws"])
        XCTAssertEqual(pending.status, 1, pending.output + pending.errors)
        XCTAssertTrue(pending.output.contains("read-only workspace: verified as it stands, nothing written"), pending.output)
        XCTAssertTrue(pending.output.contains("checked 1 record, 1 dataset version, 4 cases"), pending.output)
        XCTAssertTrue(pending.output.contains("1 finding:\n  commit-unfinished  .dosecurate/journal/"), pending.output)
        XCTAssertTrue(pending.output.contains("cannot be written"), pending.output)
        let deep = try dosecurateUnableToWrite(["verify", "--workspace", "ws", "--deep", "--json"])
        XCTAssertEqual(deep.status, 1, deep.errors)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(deep.output.utf8)) as? [String: Any])
        XCTAssertEqual(report["readOnly"] as? Bool, true)
        XCTAssertEqual((report["findings"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }, ["commit-unfinished"])
        XCTAssertEqual(try snapshot("ws"), before)

        let checkout = try dosecurateUnableToWrite(["verify", "--workspace", "checkout"])
        XCTAssertEqual(checkout.status, 0, checkout.output + checkout.errors)
        XCTAssertTrue(checkout.output.contains("no drift"), checkout.output)
        XCTAssertEqual(try snapshot("checkout"), checkoutBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("checkout/.dosecurate").path))

        // Writable again: verify finishes the interrupted commit first, and both versions verify.
        try setWritable(true, ["ws", "checkout", "cohort", "more"])
        let finished = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(finished.status, 0, finished.output + finished.errors)
        XCTAssertTrue(finished.output.contains("checked 2 records, 2 dataset versions, 5 cases"), finished.output)
    }

    /// Every case excluded: `freeze` refuses (exit 2), says why, and writes no record.
    func testAFreezeThatWouldKeepNoCaseExitsTwoAndWritesNothing() throws {
        for defect in [PlantedDefect.femurSwap, .missingKey] {
            let file = try XCTUnwrap(CohortFixture.files(for: defect).first)
            let target = work.appendingPathComponent("rejects/\(file)")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(file), toPath: target.path)
        }
        let refused = try dosecurate(["freeze", "rejects", "--workspace", "ws"])
        XCTAssertEqual(refused.status, 2, refused.output + refused.errors)
        XCTAssertTrue(refused.errors.contains("no case of the 2 audited passed the audit; nothing to freeze (2 with audit errors"), refused.errors)
        XCTAssertEqual(contents("ws/datasets"), [])
        XCTAssertEqual(contents("ws/audits"), [])
    }

    /// Runs dosecurate as a process that cannot write what `setWritable(false, …)` made read-only.
    private func dosecurateUnableToWrite(_ arguments: [String]) throws -> TestProcess.Result {
        guard geteuid() == 0 else { return try dosecurate(arguments) }
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            throw XCTSkip("running as root without \(setpriv): cannot make the workspace read-only for the command")
        }
        return try TestProcess.run(URL(fileURLWithPath: setpriv),
                                   ["--reuid=65534", "--regid=65534", "--clear-groups", "--", try DosecurateBinary.url().path] + arguments, in: work)
    }

    /// `chmod -R a-w` (or `u+w`) on folders of the work area.
    private func setWritable(_ writable: Bool, _ folders: [String]) throws {
        let result = try TestProcess.run(URL(fileURLWithPath: "/bin/chmod"), ["-R", writable ? "u+w" : "a-w"] + folders, in: work)
        guard result.status == 0 else { throw TestProcessError.failed(command: "chmod", errors: result.errors) }
    }

    /// Every file and folder under `folder` with its size and modification time.
    private func snapshot(_ folder: String) throws -> [String: String] {
        let root = work.appendingPathComponent(folder).path
        var entries: [String: String] = [:]
        for case let name as String in FileManager.default.enumerator(atPath: root) ?? NSEnumerator() {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(root)/\(name)")
            entries[name] = "\(attributes[.size] ?? "") \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return entries
    }

    /// Killed at every step of a freeze, the workspace afterwards holds either no version or the
    /// whole of it, `verify` passes, and freezing again completes it.
    func testACrashAtAnyStepLeavesTheOldStateOrTheNew() throws {
        try makeCohort()
        // Prime the audit cache once; each crash run copies it so only the commit steps are exercised.
        let primed = try dosecurate(["freeze", "cohort", "--workspace", "primed", "--quiet"])
        XCTAssertEqual(primed.status, 0, primed.errors)
        let reference = primed.output.trimmingCharacters(in: .newlines)
        let id = String(reference.split(separator: "@")[0])
        let complete = ["audits/\(id).json", "audits/\(id).junit.xml", "datasets/\(id)@1.json"]

        for step in ["audited", "stage-1", "stage-2", "stage-3", "commit", "publish-1", "publish-2", "publish-3"] {
            let workspace = "crash-\(step)"
            try FileManager.default.createDirectory(at: work.appendingPathComponent("\(workspace)/.dosecurate"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: work.appendingPathComponent("primed/.dosecurate/cache"),
                                             to: work.appendingPathComponent("\(workspace)/.dosecurate/cache"))
            let crashed = try dosecurate(["freeze", "cohort", "--workspace", workspace, "--quiet"], environment: ["DOSECURATE_TEST_CRASH_AT": step])
            XCTAssertEqual(crashed.status, 86, "\(step): \(crashed.errors)")

            // Any later command first finishes or discards the interrupted commit.
            let verified = try dosecurate(["verify", "--workspace", workspace])
            XCTAssertEqual(verified.status, 0, "\(step): \(verified.output)")
            let published = (contents("\(workspace)/audits").map { "audits/\($0)" } + contents("\(workspace)/datasets").map { "datasets/\($0)" })
            let committed = step == "commit" || step.hasPrefix("publish")  // the plan is the commit point
            XCTAssertEqual(published, committed ? complete : [], step)
            XCTAssertEqual(contents("\(workspace)/.dosecurate/journal"), [], step)

            let resumed = try dosecurate(["freeze", "cohort", "--workspace", workspace, "--quiet"])
            XCTAssertEqual(resumed.status, 0, resumed.errors)
            XCTAssertEqual(resumed.output.trimmingCharacters(in: .newlines), reference, step)
            XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("\(workspace)/audits/\(id).junit.xml")),
                           try Data(contentsOf: work.appendingPathComponent("primed/audits/\(id).junit.xml")), step)
        }
    }

    /// Two freezes of the same data at once: one writes the version, the other finds it written.
    /// Two of different data: both versions are written. The lock keeps the records whole.
    func testConcurrentFreezesOnOneWorkspace() throws {
        try makeCohort()
        let other = work.appendingPathComponent("other/A")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CohortFixture.path(CohortFixture.cleanEntries[4].fileName),
                                         toPath: other.appendingPathComponent("solo.npz").path)
        let binary = try DosecurateBinary.url(), directory = work!
        let runs: [[String]] = [["freeze", "cohort", "--workspace", "ws", "--quiet", "--jobs", "1"],
                                ["freeze", "cohort", "--workspace", "ws", "--quiet", "--jobs", "1"],
                                ["freeze", "other", "--workspace", "ws", "--quiet", "--jobs", "1"]]
        let results = ResultBox(count: runs.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { index in
            results.set(index, try? TestProcess.run(binary, runs[index], in: directory))
        }
        let outputs = try (0..<runs.count).map { index -> String in
            let result = try XCTUnwrap(results.get(index), "run \(index) did not start")
            XCTAssertEqual(result.status, 0, result.errors)
            return result.output.trimmingCharacters(in: .newlines)
        }
        XCTAssertEqual(outputs[0], outputs[1])
        XCTAssertNotEqual(outputs[0], outputs[2])
        XCTAssertEqual(contents("ws/datasets"), ["\(outputs[0]).json", "\(outputs[2]).json"].sorted())
        let verified = try dosecurate(["verify", "--workspace", "ws"])
        XCTAssertEqual(verified.status, 0, verified.output)
        XCTAssertTrue(verified.output.contains("checked 2 records, 2 dataset versions, 5 cases"), verified.output)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [TestProcess.Result?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: TestProcess.Result?) { lock.withLock { results[index] = result } }
    func get(_ index: Int) -> TestProcess.Result? { lock.withLock { results[index] } }
}

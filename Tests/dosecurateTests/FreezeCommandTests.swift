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
        for entry in CohortFixture.cleanEntries.prefix(4) {
            let target = work.appendingPathComponent("cohort").appendingPathComponent(entry.fileName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(entry.fileName), toPath: target.path)
        }
    }

    private func contents(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent(folder).path)) ?? []).sorted()
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

import Foundation
import SharedCohort
import Support
import XCTest

/// `dosecurate compare` as a user runs it: two synthetic "models", two seeds each, evaluated with
/// `evaluate --record`, compared by record files, a folder and hash prefixes.
final class CompareCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-compare-cli-\(UUID().uuidString)")
        try CohortFixture.copyCleanCases(3, to: work.appendingPathComponent("ws/cases"))
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        // The environment names the workspace, so commands that take no --workspace (phantoms) run too.
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work, environment: ["DOSECURATE_WORKSPACE": work.appendingPathComponent("ws").path])
    }

    /// Predictions of the cases by one "training run", evaluated and recorded; returns the record's path.
    private func evaluatedRun(_ name: String, seed: Int, error: Double, protocolName: String = "current") throws -> String {
        let predicted = try dosecurate(["phantoms", "ws/cases", "--predict-existing", "--predictions", name, "--prediction-seed", String(seed),
                                        "--prediction-error", String(error), "--quiet"])
        XCTAssertEqual(predicted.status, 0, predicted.errors)
        let evaluated = try dosecurate(["evaluate", "--reference", "ws/cases", "--prediction", name, "--subsample", "4", "--record",
                                        "--protocol", protocolName, "--quiet"])
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        let line = try XCTUnwrap(evaluated.output.split(separator: "\n").first { $0.hasPrefix("record: evaluations/") })
        return "ws/" + line.dropFirst("record: ".count)
    }

    func testComparesTwoModelsAndRefusesDifferentProtocols() throws {
        let a1 = try evaluatedRun("a1", seed: 1, error: 1), a2 = try evaluatedRun("a2", seed: 2, error: 1)
        let b1 = try evaluatedRun("b1", seed: 11, error: 2.5), b2 = try evaluatedRun("b2", seed: 12, error: 2.5)
        let folderB = work.appendingPathComponent("b-records")
        try FileManager.default.createDirectory(at: folderB, withIntermediateDirectories: true)
        for record in [b1, b2] {
            try FileManager.default.copyItem(at: work.appendingPathComponent(record), to: folderB.appendingPathComponent(URL(fileURLWithPath: record).lastPathComponent))
        }
        let prefixA2 = String(URL(fileURLWithPath: a2).lastPathComponent.prefix(8))

        let table = try dosecurate(["compare", "--a", a1, prefixA2, "--b", "b-records", "--seed", "7"])
        XCTAssertEqual(table.status, 0, table.errors)
        XCTAssertTrue(table.output.contains("comparing A: 2 evaluations"), table.output)
        XCTAssertTrue(table.output.contains("with B: 2 evaluations"), table.output)
        XCTAssertTrue(table.output.contains("on 3 common cases"), table.output)
        XCTAssertTrue(table.output.contains("10000 resamples, seed 7"), table.output)
        for row in ["mae (Gy)", "gamma-global (%)", "gamma-ptv (%)", "compliance (%)", "ptv70-d95-error (Gy)"] {
            XCTAssertTrue(table.output.contains("  \(row) "), "\(row) missing:\n\(table.output)")
        }

        let json = try dosecurate(["compare", "--a", a1, a2, "--b", b1, b2, "--seed", "7", "--metric", "mae", "dvh-abs-error:Rectum:V50", "--json"])
        XCTAssertEqual(json.status, 0, json.errors)
        let comparison = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        XCTAssertEqual(comparison["schema"] as? String, "dosecurate/comparison/1")
        XCTAssertEqual((comparison["bootstrap"] as? [String: Any])?["seed"] as? Int, 7)
        let metrics = try XCTUnwrap(comparison["metrics"] as? [[String: Any]])
        XCTAssertEqual(metrics.compactMap { ($0["metric"] as? [String: Any])?["name"] as? String }, ["mae", "dvh-abs-error:Rectum:V50"])
        XCTAssertEqual(metrics.first?["n"] as? Int, 3)
        // A worse model (error 2.5 vs 1) has a larger MAE on every case.
        let maeDifference = try XCTUnwrap((metrics.first?["difference"] as? [String: Any])?["mean"] as? Double)
        XCTAssertGreaterThan(maeDifference, 0)

        // Record files named by path compare anywhere, outside any workspace too.
        let outside = work.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let absolute = { (path: String) in path.hasPrefix("/") ? path : self.work.appendingPathComponent(path).path }
        let anywhere = try TestProcess.run(try DosecurateBinary.url(), ["compare", "--a", absolute(a1), absolute(a2), "--b", absolute(b1), absolute(b2),
                                                                         "--seed", "7", "--json"], in: outside)
        XCTAssertEqual(anywhere.status, 0, anywhere.errors)

        let older = try evaluatedRun("a3", seed: 3, error: 1, protocolName: "published-v2.3")
        let refused = try dosecurate(["compare", "--a", a1, older, "--b", b1, b2])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.errors.contains("refusing to compare evaluations made differently"), refused.errors)
        XCTAssertTrue(refused.errors.contains("protocol differs: current"), refused.errors)
        let allowed = try dosecurate(["compare", "--a", a1, older, "--b", b1, b2, "--allow-mismatch"])
        XCTAssertEqual(allowed.status, 0, allowed.errors)
        XCTAssertTrue(allowed.output.contains("WARNING (--allow-mismatch): protocol differs"), allowed.output)

        let unknown = try dosecurate(["compare", "--a", a1, "--b", b1, "--metric", "mea"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.errors.contains("unknown metric 'mea'"), unknown.errors)
        let missing = try dosecurate(["compare", "--a", "ffffffff", "--b", b1])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("ffffffff: neither an evaluation record file nor a record in"), missing.errors)
    }

    func testRecordedComparisonIsWrittenOnceListedAndVerified() throws {
        let a1 = try evaluatedRun("a1", seed: 1, error: 1), b1 = try evaluatedRun("b1", seed: 11, error: 2.5)
        let recorded = try dosecurate(["compare", "--a", a1, "--b", b1, "--record", "--label", "worse by 1.5", "--seed", "3"])
        XCTAssertEqual(recorded.status, 0, recorded.errors)
        let line = try XCTUnwrap(recorded.output.split(separator: "\n").first { $0.hasPrefix("record: comparisons/") }, recorded.output)
        let file = String(line.dropFirst("record: ".count))
        let bytes = try Data(contentsOf: work.appendingPathComponent("ws/\(file)"))

        // The hash re-derives from the identity members, and names the file.
        guard case var .object(members) = try JSONValue.parse([UInt8](bytes)) else { return XCTFail("not an object") }
        let hash = try XCTUnwrap(members.removeValue(forKey: "hash")?.stringValue)
        let context = try XCTUnwrap(members.removeValue(forKey: "context"))
        XCTAssertEqual(JSONValue.object(members).canonicalSHA256, hash)
        XCTAssertEqual(file, "comparisons/\(hash.prefix(16)).json")
        XCTAssertEqual(members["schema"]?.stringValue, "dosecurate/comparison/1")
        XCTAssertEqual(members["a"]?.arrayValue?.compactMap { $0["hash"]?.stringValue.map { String($0.prefix(16)) } },
                       [URL(fileURLWithPath: a1).deletingPathExtension().lastPathComponent])
        XCTAssertEqual(context["label"]?.stringValue, "worse by 1.5")
        XCTAssertEqual(context["b"]?.arrayValue?.first?["file"]?.stringValue, String(b1.dropFirst("ws/".count)))

        // Again, with another label: an identical comparison is not written twice.
        let again = try dosecurate(["compare", "--a", a1, "--b", b1, "--record", "--label", "other", "--seed", "3"])
        XCTAssertEqual(again.status, 0, again.errors)
        XCTAssertTrue(again.output.contains("record: \(file) (already recorded; nothing written)"), again.output)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("ws/comparisons").path), [URL(fileURLWithPath: file).lastPathComponent])
        XCTAssertEqual(try Data(contentsOf: work.appendingPathComponent("ws/\(file)")), bytes)

        let listed = try dosecurate(["list"])
        XCTAssertEqual(listed.status, 0, listed.errors)
        XCTAssertTrue(listed.output.contains("comparison \(hash.prefix(16))"), listed.output)
        XCTAssertTrue(listed.output.contains("\"worse by 1.5\""), listed.output)
        let listedJSON = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try dosecurate(["list", "--json"]).output.utf8)) as? [String: Any])
        XCTAssertEqual((listedJSON["comparisons"] as? [[String: Any]])?.first?["id"] as? String, String(hash.prefix(16)))
        let clean = try dosecurate(["verify"])
        XCTAssertEqual(clean.status, 0, clean.output + clean.errors)

        // A prefix two records share is refused, naming both.
        let aName = URL(fileURLWithPath: a1).lastPathComponent
        let twin = "evaluations/\(aName.prefix(4))000000000000.json"
        try FileManager.default.copyItem(at: work.appendingPathComponent(a1), to: work.appendingPathComponent("ws/\(twin)"))
        let ambiguous = try dosecurate(["compare", "--a", String(aName.prefix(4)), "--b", b1])
        XCTAssertEqual(ambiguous.status, 2)
        XCTAssertTrue(ambiguous.errors.contains("\(aName.prefix(4)) matches more than one record: "), ambiguous.errors)
        XCTAssertTrue(ambiguous.errors.contains("evaluations/\(aName)") && ambiguous.errors.contains(twin), ambiguous.errors)
        try FileManager.default.removeItem(at: work.appendingPathComponent("ws/\(twin)"))

        // The evaluation of side B is gone: the comparison names what the workspace lacks.
        try FileManager.default.removeItem(at: work.appendingPathComponent(b1))
        let drift = try dosecurate(["verify"])
        XCTAssertEqual(drift.status, 1, drift.output + drift.errors)
        XCTAssertTrue(drift.output.contains("unknown-evaluation  \(file) compares evaluation \(URL(fileURLWithPath: b1).deletingPathExtension().lastPathComponent)"),
                      drift.output)
    }
}

import Foundation
import SharedCohort
import XCTest

/// `dosecurate compare` as a user runs it: two synthetic "models", two seeds each, evaluated with
/// `evaluate --record`, compared by record files, a folder and hash prefixes.
final class CompareCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-compare-cli-\(UUID().uuidString)")
        for entry in CohortFixture.cleanEntries.prefix(3) {
            let target = work.appendingPathComponent("ws/cases").appendingPathComponent(entry.fileName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(entry.fileName), toPath: target.path)
        }
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments + ["--workspace", "ws"], in: work)
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
}

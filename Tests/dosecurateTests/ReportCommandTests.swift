import Foundation
import Phantoms
import SharedCohort
import Support
import XCTest

/// `dosecurate report` as a user runs it: a run's report from an external engine's metrics.csv,
/// a comparison's report from `compare --record`, subjects resolved by id and hash prefix, and the
/// refusals (unknown or ambiguous subject, no workspace).
final class ReportCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("ws/cases"), withIntermediateDirectories: true)
        try CohortFixture.copyCleanCases(6, to: work.appendingPathComponent("ws/cases"))
        XCTAssertEqual(try dosecurate(["init", "ws"], workspace: false).status, 0)
        XCTAssertEqual(try dosecurate(["freeze", "ws/cases", "--quiet"]).status, 0)
        let locked = try dosecurate(["split", "lock", "main", "--dataset", "latest", "--ratios", "50/0/50", "--strata", "plan_type", "--quiet"])
        XCTAssertEqual(locked.status, 0, locked.errors)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String], workspace: Bool = true) throws -> TestProcess.Result {
        var arguments = arguments
        if workspace { arguments.insert(contentsOf: ["--workspace", "ws"], at: arguments.firstIndex(of: "--") ?? arguments.endIndex) }
        return try TestProcess.run(try DosecurateBinary.url(), arguments, in: work)
    }

    private func text(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: work.appendingPathComponent("ws/\(relative)")), as: UTF8.self)
    }

    func testARunsReportDrawsItsMetrics() throws {
        let metrics = "epoch,train_loss,val_mae_gy,best\\n1,0.5,3.25,1\\n2,0.25,2.5,1\\n3,0.125,2.75,0\\n"
        let ran = try dosecurate(["run", "--dataset", "latest", "--split", "main", "--run-id", "r1", "--label", "shell engine", "--",
                                  "/bin/sh", "-c", "printf '\(metrics)' > \"$DOSECURATE_RUN_DIR/metrics.csv\""])
        XCTAssertEqual(ran.status, 0, ran.errors)
        let reported = try dosecurate(["report", "runs/r1"])
        XCTAssertEqual(reported.status, 0, reported.errors)
        XCTAssertTrue(reported.output.contains("ws/reports/run-r1/index.html"), reported.output)
        let page = try text("reports/run-r1/index.html")
        XCTAssertTrue(page.contains("shell engine") && page.contains("succeeded (exit 0)"), "label and outcome in the page")
        let curves = try text("reports/run-r1/figures/training-curves.svg")
        XCTAssertTrue(curves.contains("data-series=\"training loss\" data-x=\"1.0 2.0 3.0\" data-y=\"0.5 0.25 0.125\"")
                      || curves.contains("data-x=\"1.0 2.0 3.0\" data-y=\"0.5 0.25 0.125\""), curves)
        XCTAssertTrue(curves.contains("data-y=\"3.25 2.5 2.75\""), "validation MAE as logged")
        XCTAssertTrue(curves.contains("best epoch 2"), "the last row marked best is the best epoch")
        // The bare run id works too.
        XCTAssertEqual(try dosecurate(["report", "r1", "-o", "elsewhere", "--quiet"]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("elsewhere/index.html").path))
    }

    func testAnAuditReportLinksTheFemurSwapToItsFigure() throws {
        let folder = work.appendingPathComponent("delivery")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in CohortFixture.files(for: .femurSwap) {
            try FileManager.default.copyItem(atPath: CohortFixture.path(file), toPath: folder.appendingPathComponent((file as NSString).lastPathComponent).path)
        }
        // Outside a workspace, in the same run as the audit; exit 1: the audit has errors.
        let audited = try dosecurate(["audit", "delivery", "--report", "audit-report", "--no-cache"], workspace: false)
        XCTAssertEqual(audited.status, 1, audited.errors)
        XCTAssertTrue(audited.output.contains("audit-report/index.html"), audited.output)
        let page = String(decoding: try Data(contentsOf: work.appendingPathComponent("audit-report/index.html")), as: UTF8.self)
        let link = try XCTUnwrap(page.range(of: "href=\"#figure-evidence-[^\"]*labels-femur-laterality\"", options: .regularExpression).map { String(page[$0]) })
        let name = String(link.dropFirst("href=\"#figure-".count).dropLast())
        XCTAssertTrue(page.contains("id=\"figure-\(name)\""), "the linked figure is on the page")
        let figure = String(decoding: try Data(contentsOf: work.appendingPathComponent("audit-report/figures/\(name).svg")), as: UTF8.self)
        XCTAssertTrue(figure.contains("Femur_L") && figure.contains("Femur_R") && figure.contains("coronal"), "both femurs labelled on a coronal slice")
    }

    func testAComparisonsReportAndTheRefusals() throws {
        // Two "methods": synthetic predictions of different severity for the test cases.
        let split = try JSONValue.parse(Array(try Data(contentsOf: work.appendingPathComponent("ws/splits/main@1.json"))))
        let test = (split["identity"]?["cases"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "test" }.compactMap { $0["caseId"]?.stringValue }
        XCTAssertGreaterThanOrEqual(test.count, 2)
        let files = CohortFixture.cleanEntries.prefix(6).filter { entry in test.contains { entry.fileName.hasSuffix("\($0).npz") } }
            .map { work.appendingPathComponent("ws/cases/\($0.fileName)").path }
        var hashes: [String] = []
        for (name, severity) in [("a", 1.0), ("b", 2.0)] {
            let folder = work.appendingPathComponent("pred-\(name)").path
            try SyntheticPrediction.writePredictions(forCases: files, to: folder, seed: 9, severity: severity)
            let evaluated = try dosecurate(["evaluate", "--dataset", "latest", "--split", "main", "--prediction", folder, "--subsample", "3",
                                            "--label", "method \(name)", "--json", "--quiet"])
            XCTAssertEqual(evaluated.status, 0, evaluated.errors)
            hashes.append(try XCTUnwrap(JSONValue.parse(Array(evaluated.output.utf8))["hash"]?.stringValue))
        }
        let compared = try dosecurate(["compare", "--a", String(hashes[0].prefix(12)), "--b", String(hashes[1].prefix(12)), "--resamples", "200",
                                       "--record", "--json"])
        XCTAssertEqual(compared.status, 0, compared.errors)
        let comparison = try JSONValue.parse(Array(compared.output.utf8))
        let hash = try XCTUnwrap(comparison["hash"]?.stringValue)

        let reported = try dosecurate(["report", String(hash.prefix(12)), "--json"])
        XCTAssertEqual(reported.status, 0, reported.errors)
        let folder = "reports/comparison-\(hash.prefix(16))"
        let forest = try text("\(folder)/figures/forest.svg")
        for metric in comparison["metrics"]?.arrayValue ?? [] {
            guard let name = metric["metric"]?["name"]?.stringValue, let estimate = metric["difference"]?["mean"]?.doubleValue else { continue }
            XCTAssertTrue(forest.contains("data-metric=\"\(name)\"") && forest.contains("data-estimate=\"\(estimate)\""), "\(name) \(estimate)")
        }
        XCTAssertTrue(try text("\(folder)/figures/paired.svg").contains("class=\"pair\""))

        // Refusals: exit 2, with what was wrong.
        let ambiguous = hashes.map { $0.prefix(1) }.first { prefix in hashes.filter { $0.hasPrefix(prefix) }.count + (hash.hasPrefix(prefix) ? 1 : 0) > 1 }
        if let ambiguous {
            let refused = try dosecurate(["report", String(ambiguous)])
            XCTAssertEqual(refused.status, 2)
            XCTAssertTrue(refused.errors.contains("matches more than one record"), refused.errors)
        }
        let unknown = try dosecurate(["report", "no-such-thing"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.errors.contains("not a record file, a run id"), unknown.errors)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-not-a-workspace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        let noWorkspace = try TestProcess.run(try DosecurateBinary.url(), ["report", "abc"], in: outside)
        XCTAssertEqual(noWorkspace.status, 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), [], "a read-only command creates nothing")
    }
}

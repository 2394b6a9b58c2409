import Foundation
import Phantoms
import SharedCohort
import XCTest

/// `dosecurate evaluate` as a user runs it: exit codes, the table, `--json`, and the pinned
/// workflow (freeze → split lock → evaluate the test cases → a record in evaluations/).
final class EvaluateCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-evaluate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        // The environment names the workspace, so commands that take no --workspace (phantoms) run too.
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work, environment: ["DOSECURATE_WORKSPACE": work.appendingPathComponent("ws").path])
    }

    /// Copies the first `count` clean cohort cases into `ws/cases/` and returns their paths.
    private func cases(_ count: Int) throws -> [String] {
        try CohortFixture.cleanEntries.prefix(count).map { entry in
            let target = work.appendingPathComponent("ws/cases").appendingPathComponent(entry.fileName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(entry.fileName), toPath: target.path)
            return target.path
        }
    }

    func testUnpinnedEvaluationPrintsATableAndExitsOneWhenPredictionsAreMissing() throws {
        let files = try cases(2)
        let predictions = work.appendingPathComponent("pred").path
        try SyntheticPrediction.writePredictions(forCases: [files[0]], to: predictions, seed: 1)
        let result = try dosecurate(["evaluate", "--reference", "ws/cases", "--prediction", "pred", "--subsample", "4"])
        XCTAssertEqual(result.status, 1, result.errors)
        XCTAssertTrue(result.output.contains("gamma 3%/3mm global, cutoff 10%, max γ 2, step DTA/10, subsample 4"), result.output)
        XCTAssertTrue(result.output.contains("  case "), result.output)
        XCTAssertTrue(result.output.contains("missing predictions: "), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("ws/evaluations").path))

        // One file against one file: paired whatever the names, exit 0; --json is the record.
        let prediction = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: predictions).first)
        let single = try dosecurate(["evaluate", "--reference", files[0], "--prediction", "pred/\(prediction)", "--subsample", "4", "--json", "--quiet",
                                     "--protocol", "published-v2.3"])
        XCTAssertEqual(single.status, 0, single.errors)
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(single.output.utf8)) as? [String: Any])
        XCTAssertEqual(record["schema"] as? String, "dosecurate/evaluation/3")
        let used = try XCTUnwrap((record["settings"] as? [String: Any])?["protocol"] as? [String: Any])
        XCTAssertEqual((used["definition"] as? [String: Any])?["name"] as? String, "published-v2.3")
        let acceptance = try XCTUnwrap(((record["cases"] as? [[String: Any]])?.first)?["acceptance"] as? [String: Any])
        XCTAssertEqual(Set(acceptance.keys), ["prediction", "reference"])
        XCTAssertEqual((record["cases"] as? [Any])?.count, 1)
        let document = work.appendingPathComponent("record.json")
        try Data(single.output.utf8).write(to: document)
        XCTAssertEqual(try SchemaValidation.errors(validating: document, against: "evaluation.schema.json"), [])
    }

    func testBadInputExitsTwoWithAMessage() throws {
        let files = try cases(1)
        let missing = try dosecurate(["evaluate", "--reference", files[0], "--prediction", "nowhere"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("nowhere: no such file or directory"), missing.errors)
        let usage = try dosecurate(["evaluate", "--reference", files[0], "--prediction", "nowhere", "--subsample", "0"])
        XCTAssertEqual(usage.status, 2)
        let unpaired = try dosecurate(["evaluate", "--reference", files[0], "--prediction", "nowhere", "--dataset", "dsv-0000000000000000"])
        XCTAssertEqual(unpaired.status, 2)
        XCTAssertTrue(unpaired.errors.contains("--dataset and --split together"), unpaired.errors)
        try Data(#"{"schema": "dosecurate/protocol/1", "name": "mine", "description": "", "constraints": [{"structure": "Rectum", "metric": "V70", "comparison": "<=", "limit": 15, "unit": "cc", "description": ""}]}"#.utf8)
            .write(to: work.appendingPathComponent("mine.json"))
        let badProtocol = try dosecurate(["evaluate", "--reference", files[0], "--prediction", files[0], "--protocol", "mine.json"])
        XCTAssertEqual(badProtocol.status, 2)
        XCTAssertTrue(badProtocol.errors.contains("mine.json: constraint 1: V70 is in %, found unit 'cc'"), badProtocol.errors)
    }

    func testPinnedEvaluationWritesARecordAndSetsAsideOrRefusesOtherCases() throws {
        _ = try cases(CohortFixture.cleanEntries.count)
        let frozen = try dosecurate(["freeze", "ws/cases", "--quiet"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        let version = String(frozen.output.trimmingCharacters(in: .newlines).split(separator: "@")[0])
        let locked = try dosecurate(["split", "lock", "main", "--dataset", version, "--ratios", "50/0/50", "--strata", "plan_type", "--json"])
        XCTAssertEqual(locked.status, 0, locked.errors)
        let split = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(locked.output.utf8)) as? [String: Any])
        let assignments = try XCTUnwrap((split["identity"] as? [String: Any])?["cases"] as? [[String: Any]])
        let test = assignments.filter { $0["role"] as? String == "test" }.compactMap { $0["caseId"] as? String }
        let train = try XCTUnwrap(assignments.first { $0["role"] as? String == "train" }?["caseId"] as? String)
        let casesFolder = work.appendingPathComponent("ws/cases").path
        let allFiles = try XCTUnwrap(FileManager.default.enumerator(atPath: casesFolder)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".npz") }.map { "\(casesFolder)/\($0)" }
        try SyntheticPrediction.writePredictions(forCases: allFiles, to: work.appendingPathComponent("all").path, seed: 2)
        let predictions = work.appendingPathComponent("pred")
        try FileManager.default.createDirectory(at: predictions, withIntermediateDirectories: true)
        for caseId in test {
            try FileManager.default.copyItem(at: work.appendingPathComponent("all/\(caseId)_pred.npz"), to: predictions.appendingPathComponent("\(caseId)_pred.npz"))
        }

        let evaluated = try dosecurate(["evaluate", "--dataset", version, "--split", "main", "--prediction", "pred", "--subsample", "4"])
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        XCTAssertTrue(evaluated.output.contains("pinned to \(version), split main@1"), evaluated.output)
        let recordLine = try XCTUnwrap(evaluated.output.split(separator: "\n").first { $0.hasPrefix("record: evaluations/") })
        let recordFile = String(recordLine.dropFirst("record: ".count))
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("ws/\(recordFile)").path), recordFile)

        try FileManager.default.copyItem(at: work.appendingPathComponent("all/\(train)_pred.npz"), to: predictions.appendingPathComponent("\(train)_pred.npz"))
        // The usual folder with a prediction for every case: the others are set aside, in one line.
        let setAside = try dosecurate(["evaluate", "--dataset", version, "--split", "main", "--prediction", "pred", "--subsample", "4"])
        XCTAssertEqual(setAside.status, 0, setAside.errors)
        XCTAssertTrue(setAside.output.contains("ignored 1 prediction for cases the split does not assign to test"), setAside.output)
        let refused = try dosecurate(["evaluate", "--dataset", version, "--split", "main", "--prediction", "pred", "--subsample", "4",
                                      "--strict", "--quiet"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.errors.contains("refusing predictions for cases that split main@1 does not assign to test: \(train)"), refused.errors)
    }

    func testSaveGammaImpliesARecordVerifiedWithItsMapsAndRefusesPassRate() throws {
        let files = try cases(1)
        try SyntheticPrediction.writePredictions(forCases: files, to: work.appendingPathComponent("pred").path, seed: 1)
        let refused = try dosecurate(["evaluate", "--reference", "ws/cases", "--prediction", "pred", "--save-gamma", "--gamma-stat", "pass-rate"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.errors.contains("--save-gamma needs --gamma-stat full"), refused.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("ws/evaluations").path))

        // No --record: --save-gamma writes the record that names the maps (and the workspace, saying so).
        let saved = try dosecurate(["evaluate", "--reference", "ws/cases", "--prediction", "pred", "--save-gamma", "--subsample", "4"])
        XCTAssertEqual(saved.status, 0, saved.errors)
        XCTAssertTrue(saved.errors.contains("created a workspace in"), saved.errors)
        let recordLine = try XCTUnwrap(saved.output.split(separator: "\n").first { $0.hasPrefix("record: evaluations/") }, saved.output)
        let id = String(recordLine.dropFirst("record: evaluations/".count).dropLast(".json".count))
        XCTAssertTrue(saved.output.contains("gamma maps: evaluations/\(id)/gamma/ (1 file)"), saved.output)
        let map = work.appendingPathComponent("ws/evaluations/\(id)/gamma").path
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: map).count, 1)

        for command in [["verify"], ["list"], ["status"]] {
            let result = try dosecurate(command)
            XCTAssertEqual(result.status, 0, "\(command): \(result.output) \(result.errors)")
            XCTAssertFalse(result.output.contains("unreadable"), result.output)
        }
        let mapFile = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: map).first)
        try Data("not a gamma map".utf8).write(to: URL(fileURLWithPath: "\(map)/\(mapFile)"))
        let drift = try dosecurate(["verify"])
        XCTAssertEqual(drift.status, 1, drift.output)
        XCTAssertTrue(drift.output.contains("artifact-changed  evaluations/\(id)/gamma/\(mapFile) changed since evaluations/\(id).json was written"), drift.output)
    }
}

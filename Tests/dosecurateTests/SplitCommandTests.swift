import Foundation
import SharedCohort
import XCTest

/// The split commands as a user runs them, the issue's acceptance scenario: institutions A and B
/// frozen and split, then institution C arrives and the split is extended, never moved.
final class SplitCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-split-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        // The environment names the workspace, so commands that take no --workspace (phantoms) run too.
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work, environment: ["DOSECURATE_WORKSPACE": work.appendingPathComponent("ws").path])
    }

    private func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    func testLockShowExportThenANewInstitutionExtendsAndVerifies() throws {
        // Institutions A and B: the shared cohort's eight clean cases, four each.
        for entry in CohortFixture.cleanEntries {
            let target = work.appendingPathComponent("ws/AB").appendingPathComponent(entry.fileName)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(entry.fileName), toPath: target.path)
        }
        let frozen = try dosecurate(["freeze", "ws/AB", "--quiet"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        let first = String(frozen.output.trimmingCharacters(in: .newlines).split(separator: "@")[0])

        let locked = try dosecurate(["split", "lock", "main", "--dataset", first, "--ratios", "50/25/25", "--strata", "plan_type,institution"])
        XCTAssertEqual(locked.status, 0, locked.errors)
        XCTAssertTrue(locked.output.hasPrefix("main@1  (locked: splits/main@1.json)"), locked.output)
        let again = try dosecurate(["split", "lock", "main", "--dataset", first, "--ratios", "50/25/25", "--strata", "plan_type,institution", "--quiet"])
        XCTAssertEqual(again.output, "main@1\n")
        let refused = try dosecurate(["split", "lock", "main", "--dataset", first])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.errors.contains("ratios 50/25/25, asked 80/10/10"), refused.errors)

        // The test set holds both institutions and more than one plan type.
        let show = try dosecurate(["split", "show", "main"])
        XCTAssertEqual(show.status, 0)
        XCTAssertFalse(show.output.contains("no case from institution"), show.output)
        let csv = try dosecurate(["split", "export", "main", "--format", "csv"])
        let rows = lines(csv.output).dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.count, 8)
        let test = rows.filter { $0[1] == "test" }
        XCTAssertEqual(Set(test.map { $0[4] }), ["A", "B"], csv.output)
        XCTAssertGreaterThan(Set(test.map { $0[5] }).count, 1, csv.output)
        let nnunet = try dosecurate(["split", "export", "main", "--format", "nnunet", "--output", "splits_final.json"])
        XCTAssertEqual(nnunet.status, 0, nnunet.errors)
        let folds = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("splits_final.json"))) as? [[String: [String]]])
        XCTAssertEqual(folds.count, 1)
        XCTAssertEqual((folds[0]["train"] ?? []).count + (folds[0]["val"] ?? []).count + test.count, 8)

        // Institution C arrives: a new delivery numbered after the first, frozen with it.
        let made = try dosecurate(["phantoms", "ws/C", "--cases", "4", "--institutions", "C", "--first-case", "100", "--seed", "11", "--quiet"])
        XCTAssertEqual(made.status, 0, made.errors)
        let grown = try dosecurate(["freeze", "ws/AB", "ws/C/C", "--quiet"])
        XCTAssertEqual(grown.status, 0, grown.errors)
        let second = String(grown.output.trimmingCharacters(in: .newlines).split(separator: "@")[0])
        XCTAssertNotEqual(second, first)
        let extended = try dosecurate(["split", "extend", "main", "--dataset", second])
        XCTAssertEqual(extended.status, 0, extended.errors)
        XCTAssertTrue(extended.output.hasPrefix("main@2  (extended: splits/main@2.json)"), extended.output)
        let after = lines(try dosecurate(["split", "export", "main", "--format", "csv"]).output).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(after.count, 12)
        for row in rows { XCTAssertTrue(after.contains(row), "\(row) moved") }

        let verified = try dosecurate(["split", "verify", "main"])
        XCTAssertEqual(verified.status, 0, verified.output)
        XCTAssertTrue(verified.output.contains("checked 2 revisions of main, 12 cases"), verified.output)
        let everything = try dosecurate(["verify"])
        XCTAssertEqual(everything.status, 0, everything.output)
        XCTAssertTrue(everything.output.contains("checked 4 records, 2 dataset versions"), everything.output)

        // Editing an assignment is caught by both.
        let record = work.appendingPathComponent("ws/splits/main@1.json")
        let text = try String(contentsOf: record, encoding: .utf8)
        XCTAssertTrue(text.contains("\"role\": \"test\""), "records are pretty-printed")
        let edited = text.replacingOccurrences(of: "\"role\": \"test\"", with: "\"role\": \"train\"")
        try edited.write(to: record, atomically: true, encoding: .utf8)
        XCTAssertEqual(try dosecurate(["split", "verify", "main"]).status, 1)
        let tampered = try dosecurate(["verify"])
        XCTAssertEqual(tampered.status, 1)
        XCTAssertTrue(tampered.output.contains("record-tampered  splits/main@1.json"), tampered.output)
    }
}

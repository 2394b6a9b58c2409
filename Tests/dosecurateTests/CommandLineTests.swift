import Foundation
import SharedCohort
import XCTest

/// Runs the built `dosecurate` binary and checks what a user sees: output and exit codes.
final class CommandLineTests: XCTestCase {
    private var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NumpyFormatTests/Fixtures")
    }
    private var caseFixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("DoseCaseTests/Fixtures")
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let result = try TestProcess.run(try DosecurateBinary.url(), arguments)
        return (result.status, result.output, result.errors)
    }

    /// `audit` exit codes on the shared phantom cohort: 0 below `--fail-on`, 1 at or above it, 2
    /// when a path cannot be read.
    func testAuditExitCodesFollowFailOn() async throws {
        _ = try await CohortFixture.truth()
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        XCTAssertEqual(try run(["init", workspace.path]).status, 0)
        let common = ["audit", "--workspace", workspace.path]

        let clean = try run(common + [CohortFixture.path(CohortFixture.cleanEntries[0].fileName)])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.output.contains("1 case: 1 pass, 0 warn, 0 fail"), clean.output)
        let quiet = try run(common + ["-q", CohortFixture.path(CohortFixture.cleanEntries[0].fileName)])
        XCTAssertEqual(quiet.output.split(separator: "\n").count, 1, "--quiet: the result line only\n\(quiet.output)")
        XCTAssertTrue(quiet.output.hasPrefix("1 case: 1 pass, 0 warn, 0 fail"), quiet.output)

        let warningOnly = CohortFixture.path(try CohortFixture.entry(for: .wrongMaskDType).fileName)
        XCTAssertEqual(try run(common + [warningOnly]).status, 0, "a warning stays below the default --fail-on error")
        XCTAssertEqual(try run(common + ["--fail-on", "warning", warningOnly]).status, 1)

        let junit = workspace.appendingPathComponent("audit.xml").path
        let malicious = try run(common + ["--json", "--junit", junit, CohortFixture.path(try CohortFixture.entry(for: .maliciousPickle).fileName)])
        XCTAssertEqual(malicious.status, 1, malicious.errors)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(malicious.output.utf8)) as? [String: Any])
        let findings = try XCTUnwrap((report["cases"] as? [[String: Any]])?.first?["findings"] as? [[String: Any]])
        XCTAssertEqual(findings.filter { $0["severity"] as? String == "error" }.compactMap { $0["check"] as? String }, ["metadata.safe"])
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        XCTAssertTrue(xml.contains("<testcase classname=") && xml.contains("<failure message="), xml)
        XCTAssertTrue(FileManager.default.fileExists(atPath: workspace.appendingPathComponent(".dosecurate/cache/audit").path),
                      "the cache lives in the workspace")

        let missing = try run(common + ["/no/such/delivery.tar.gz"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("no such file or directory: /no/such/delivery.tar.gz"), missing.errors)
        XCTAssertEqual(try run(common + ["--fail-on", "fatal", warningOnly]).status, 2, "a usage error")
        let badPolicy = try run(common + ["--policy", "/no/such/policy.json", warningOnly])
        XCTAssertEqual(badPolicy.status, 2)
        XCTAssertTrue(badPolicy.errors.contains("policy /no/such/policy.json: the file cannot be read"), badPolicy.errors)
    }

    func testInspectShowsOneScreenPerCaseAndExitsZero() throws {
        let result = try run(["inspect", fixtures.appendingPathComponent("npz/deflated.npz").path,
                              caseFixtures.appendingPathComponent("cases/v23_mislabelled_no_id.npz").path])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("dose         >f4    4×5×6    F"), result.output)
        XCTAssertTrue(result.output.contains("1 × 1 × 2 mm — GUESSED"), result.output)
        XCTAssertTrue(result.output.contains("stored single_rx, implied by masks sib_2level  (DISAGREE)"), result.output)
        XCTAssertTrue(result.output.contains("1   PTV56          98"), result.output)
    }

    /// The acceptance test: inspect --json on numpy-written cases gives, for every array,
    /// SHA-256 of np.ascontiguousarray(a.astype(a.dtype.newbyteorder('<'))).tobytes().
    func testInspectJSONHashesEqualNumpys() throws {
        let expectedData = try Data(contentsOf: caseFixtures.appendingPathComponent("expected.json"))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: expectedData) as? [String: Any])
        let names = ["base.npz", "same_bigendian_fortran.npz", "legacy_v20.npz"]
        let result = try run(["inspect", "--json"] + names.map { caseFixtures.appendingPathComponent("cases/\($0)").path })
        XCTAssertEqual(result.status, 0, result.errors)
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let cases = try XCTUnwrap(json?["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, names.count)
        for (name, report) in zip(names, cases) {
            let want = try XCTUnwrap(expected[name] as? [String: Any])
            XCTAssertEqual(report["caseHash"] as? String, want["caseHash"] as? String, name)
            XCTAssertEqual(report["metadataHash"] as? String, want["metadataSHA256"] as? String, name)
            XCTAssertEqual(report["caseId"] as? String, want["caseId"] as? String, name)
            let arrays = try XCTUnwrap(report["arrays"] as? [String: [String: Any]])
            let wantArrays = try XCTUnwrap(want["arrays"] as? [String: [String: Any]])
            for (key, wantArray) in wantArrays {
                XCTAssertEqual(arrays[key]?["sha256"] as? String, wantArray["sha256"] as? String, "\(name)!\(key)")
                XCTAssertEqual(arrays[key]?["dtype"] as? String, wantArray["dtype"] as? String, "\(name)!\(key)")
            }
        }
        let swapped = try XCTUnwrap(cases[1]["arrays"] as? [String: [String: Any]])
        XCTAssertEqual(swapped["dose"]?["storedDType"] as? String, ">f4")
        XCTAssertEqual(swapped["dose"]?["fortranOrder"] as? Bool, true)
    }

    func testMaliciousMetadataIsAnUnreadableCase() throws {
        let result = try run(["inspect", "--json", caseFixtures.appendingPathComponent("cases/malicious_metadata.npz").path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("system"), result.output)
    }

    func testUnreadableFileIsListedAndExitsOne() throws {
        let good = fixtures.appendingPathComponent("npz/stored.npz").path
        let bad = fixtures.appendingPathComponent("bad/crc_mismatch.npz").path
        let result = try run(["inspect", "--json", good, bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("CRC"), result.output)
        XCTAssertTrue(result.output.contains("\"arrays\""), result.output)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try run(["no-such-command"]).status, 2)
        XCTAssertEqual(try run(["inspect"]).status, 2)
        let missing = try run(["inspect", "/no/such/case.npz"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("/no/such/case.npz"), missing.errors)
        XCTAssertEqual(try run(["--help"]).status, 0)
    }

    func testPhantomsWritesACohortWithTruthAndRefusesToOverwriteIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["phantoms", folder.path, "--cases", "1", "--defects", "femur_swap", "--institutions", "A,B", "--seed", "3"]
        let result = try run(arguments + ["--json"])
        XCTAssertEqual(result.status, 0, result.errors)
        var json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        XCTAssertEqual(json.removeValue(forKey: "schema") as? String, "dosecurate/phantoms-output/1", "--json names its shape; truth.json is the rest")
        let cases = try XCTUnwrap(json["cases"] as? [String: [String: Any]])
        XCTAssertEqual(Set(cases.keys), ["A/case_0000.npz", "B/case_0001.npz"])
        XCTAssertEqual(cases["B/case_0001.npz"]?["expect"] as? [String], ["labels.femur_laterality"])
        XCTAssertTrue(cases["A/case_0000.npz"]?.keys.contains("institution") == true)
        let csv = try String(contentsOf: folder.appendingPathComponent("institutions.csv"), encoding: .utf8)
        XCTAssertEqual(csv, "caseId,institution\ncase_0000,A\ncase_0001,B\n")
        let truth = try Data(contentsOf: folder.appendingPathComponent("truth.json"))
        XCTAssertEqual(try JSONSerialization.jsonObject(with: truth) as? NSDictionary, json as NSDictionary)

        let again = try run(arguments)
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.errors.contains("already holds"), again.errors)
        XCTAssertEqual(try run(["phantoms", folder.path + "-x", "--defects", "no_such_defect"]).status, 2)
        XCTAssertEqual(try run(["phantoms", folder.path + "-x", "--size", "huge"]).status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "-x"), "a refused command writes nothing")
    }
}

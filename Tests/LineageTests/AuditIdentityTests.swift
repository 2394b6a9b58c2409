import Foundation
import Lineage
import SharedCohort
import XCTest

/// The audit's identity (DESIGN.md, "Dataset identity and the audit"): what the report asserts
/// changes the digest; where the files lay, the order the report lists them in, cache counters and
/// the policy file's path do not.
final class AuditIdentityTests: XCTestCase {
    private struct Variant {
        var files = ["cohort/A/a.npz", "cohort/A/b.npz", "cohort/B/c.npz", "cohort/B/d.npz"]
        var d95Gy = 45.0
        var d95Severity = "error"
        var d95Message = "PTV70 D95 45.0 Gy < 66.5 Gy"
        var caseHashA = String(repeating: "a", count: 64)
        var cacheHits = 0
        var policySource: String? = nil
        var threshold = 66.5
        var d95LocationFields: [String] = []
        var reversed = false
        var dropCase = false
    }

    /// A small report in the `dosecurate/audit-report/1` shape: a D95 error, a near-duplicate pair
    /// and an unreadable file, whose messages and measured values name files.
    private func report(_ variant: Variant = Variant()) throws -> [UInt8] {
        let files = variant.files
        let near: (String, String) -> [String: Any] = { me, other in
            ["check": "dataset.duplicates", "severity": "warning", "message": "near-duplicate: identical CT to \(other)",
             "measured": ["group": files[1], "files": [files[1], files[2]], "ctDistanceHU": 0]]
        }
        var cases: [[String: Any]] = [
            ["file": files[0], "caseId": "a", "caseHash": variant.caseHashA, "status": "fail", "findings": [
                ["check": "structures.truncation", "severity": "info", "message": "Bowel on the top face", "measured": ["faceShare": 1]],
                ["check": "dose.ptv_d95", "severity": variant.d95Severity, "message": variant.d95Message,
                 "measured": ["d95Gy": variant.d95Gy, "structure": "PTV70"]],
            ]],
            ["file": files[1], "caseId": "b", "caseHash": String(repeating: "b", count: 64), "status": "warn", "findings": [near(files[1], files[2])]],
            ["file": files[2], "caseId": "c", "caseHash": String(repeating: "c", count: 64), "status": "warn", "findings": [near(files[2], files[1])]],
            ["file": files[3], "caseId": NSNull(), "caseHash": NSNull(), "status": "fail", "findings": [
                ["check": "file.readable", "severity": "error", "message": "cannot be read to its end: \(files[3]): truncated",
                 "measured": ["reason": "\(files[3]): truncated"]],
            ]],
        ]
        if variant.dropCase { cases.remove(at: 2) }
        if variant.reversed {
            cases.reverse()
            cases = cases.map { entry in
                var entry = entry
                entry["findings"] = (entry["findings"] as? [Any]).map { Array($0.reversed()) }
                return entry
            }
        }
        var policy: [String: Any] = ["sha256": String(repeating: "0", count: 64),
                                     "checks": ["dose.ptv_d95": ["id": "dose.ptv_d95", "thresholds": ["ptv70WarnBelowGy": variant.threshold], "severity": [:]]]]
        if let source = variant.policySource { policy["source"] = source }
        let document: [String: Any] = [
            "schema": "dosecurate/audit-report/1", "catalogVersion": "2", "policy": policy,
            "checks": [
                ["id": "dose.ptv_d95", "measures": ["d95Gy", "structure"], "locationFields": variant.d95LocationFields],
                ["id": "dataset.duplicates", "measures": ["group", "files", "ctDistanceHU"],
                 "locationFields": ["message", "measured.group", "measured.files"]],
                ["id": "file.readable", "measures": ["reason"], "locationFields": ["message", "measured.reason"]],
                ["id": "structures.truncation", "measures": ["faceShare"]],
            ],
            "cases": cases,
            "summary": ["cases": cases.count, "fail": 2, "cacheHits": variant.cacheHits],
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]))
    }

    private func digest(_ variant: Variant = Variant()) throws -> String {
        try AuditIdentity.digest(ofReport: try report(variant), path: "audits/test.json")
    }

    func testWhereFilesLieTheReportsOrderCacheCountersAndThePolicysPathDoNotCount() throws {
        let base = try digest()
        var moved = Variant()
        moved.files = ["/data/delivery-2/x.npz", "/data/delivery-2/sub/y.npz", "/data/z.npz", "/elsewhere/w.npz"]
        moved.reversed = true
        moved.cacheHits = 4
        moved.policySource = "/home/someone/policy.json"
        XCTAssertNotEqual(try report(moved), try report())
        XCTAssertEqual(try digest(moved), base)
    }

    func testWhatTheAuditAssertsCounts() throws {
        let base = try digest()
        var edits: [(String, Variant)] = []
        var variant = Variant()
        variant.d95Gy = 70
        edits.append(("a measured value", variant))
        variant = Variant()
        variant.d95Severity = "warning"
        edits.append(("a severity", variant))
        variant = Variant()
        variant.d95Message = "PTV70 D95 70.0 Gy"
        edits.append(("a message that names no file", variant))
        variant = Variant()
        variant.caseHashA = String(repeating: "e", count: 64)
        edits.append(("a case hash", variant))
        variant = Variant()
        variant.dropCase = true
        edits.append(("a case left out", variant))
        variant = Variant()
        variant.threshold = 60
        edits.append(("a threshold", variant))
        variant = Variant()
        variant.d95LocationFields = ["measured.d95Gy"]
        edits.append(("a check declaring a measured value a location", variant))
        for (what, edit) in edits {
            XCTAssertNotEqual(try digest(edit), base, what)
        }
    }

    /// Python's json module, with `Fixtures/audit_digest.py` (docs/records.md written out), derives
    /// the same digest from the report file alone.
    func testAnIndependentImplementationDerivesTheSameDigest() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-audit-identity-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        var variant = Variant()
        variant.d95Gy = 71.0068
        variant.d95Message = "PTV70 D95 71.0 Gy — fine, café"
        try Data(try report(variant)).write(to: file)
        let script = SchemaValidation.packageRoot.appendingPathComponent("Tests/LineageTests/Fixtures/audit_digest.py").path
        let python = try TestProcess.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, file.path])
        XCTAssertEqual(python.status, 0, python.errors)
        XCTAssertEqual(python.output.trimmingCharacters(in: .whitespacesAndNewlines), try digest(variant))
    }

    func testSomethingThatIsNotAnAuditReportIsRefused() throws {
        // The cause is the JSON parser's refusal when the bytes are not JSON at all.
        for (bytes, cause) in [(Array("{}".utf8), nil), (Array("[1".utf8), "support.invalid_json"),
                               (Array(#"{"cases": [1]}"#.utf8), nil)] as [([UInt8], String?)] {
            XCTAssertThrowsError(try AuditIdentity.digest(ofReport: bytes, path: "audits/x.json")) { error in
                guard case let LineageError.invalidRecord(path, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual((error as? LineageError)?.code, "lineage.invalid_record")
                XCTAssertEqual((error as? LineageError)?.cause?.code, cause, "\(error)")
                XCTAssertEqual(path, "audits/x.json")
            }
        }
    }
}

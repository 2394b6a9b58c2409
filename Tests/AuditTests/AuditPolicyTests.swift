import Audit
import Foundation
import Phantoms
import SharedCohort
import XCTest

/// Policy files: thresholds and severities overridden by check id, refused when they name what
/// does not exist, recorded (with their hash) in the report and in the cache key.
final class AuditPolicyTests: XCTestCase {
    func write(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-policy-\(UUID().uuidString).json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testUnknownChecksThresholdsAndSeveritiesAreRefusedByName() throws {
        for (json, expected) in [
            (#"{"checks": {"dose.d95": {}}}"#, "no check 'dose.d95'"),
            (#"{"checks": {"dose.ptv_d95": {"thresholds": {"ptv70WarnGy": 60}}}}"#, "dose.ptv_d95 has no threshold 'ptv70WarnGy'"),
            (#"{"checks": {"metadata.phi": {"severity": {"warning": "fatal"}}}}"#,
             "checks.metadata.phi.severity maps a severity to a severity, each one of info, warning, error; found 'warning': \"fatal\""),
            (#"[1, 2]"#, "the policy must be a JSON object"),
            // Typos a user makes: named with what is allowed, never a Swift decoding dump.
            (#"{"check": {}}"#, "the policy has no key 'check' (allowed: checks, include)"),
            (#"{"checks": {"dose.ptv_d95": {"threshold": {"ptv70WarnBelowGy": 60}}}}"#,
             "checks.dose.ptv_d95 has no key 'threshold' (allowed: severity, thresholds)"),
            (#"{"checks": {"dose.ptv_d95": {"thresholds": {"ptv70WarnBelowGy": "60"}}}}"#, "checks.dose.ptv_d95.thresholds values must be numbers"),
            (#"{"include": {"case_0001": 1}}"#, "include values are written justifications"),
            ("{\"checks\": ", "not JSON"),
        ] {
            let path = try write(json)
            defer { try? FileManager.default.removeItem(atPath: path) }
            XCTAssertThrowsError(try AuditPolicy.load(path: path)) { error in
                XCTAssertEqual((error as? AuditError)?.code, "audit.invalid_policy", "\(error)")
                guard case let .invalidPolicy(file, reason)? = error as? AuditError else { return }
                XCTAssertEqual(file, path)
                // The reason is what a user reads: it names the offending key or value.
                XCTAssertTrue(reason.description.contains(expected), reason.description)
                XCTAssertEqual(reason.cause?.code, expected == "not JSON" ? "support.invalid_json" : nil, "a JSON error is kept as the cause")
            }
        }
    }

    func testOverridesChangeFindingsAndTheReportRecordsThem() async throws {
        _ = try await CohortFixture.truth()
        let artifact = CohortFixture.path(try CohortFixture.entry(for: .d95ArtifactBlatant).fileName)
        let phi = CohortFixture.path(try CohortFixture.entry(for: .phiMetadata).fileName)
        let path = try write(#"{"checks": {"dose.ptv_d95": {"thresholds": {"ptv70WarnBelowGy": 40, "ptv70ErrorBelowGy": 30}}, "metadata.phi": {"severity": {"warning": "error"}}}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let policy = try AuditPolicy.load(path: path)

        let standard = try await Auditor.run(paths: [artifact, phi], options: AuditOptions(cacheDirectory: nil))
        let custom = try await Auditor.run(paths: [artifact, phi], options: AuditOptions(cacheDirectory: nil, policy: policy))
        func findings(_ report: AuditReport, _ file: String) -> [String] {
            report.cases.first { $0.file == file }?.findings.map { "\($0.check) \($0.severity.rawValue)" } ?? []
        }
        XCTAssertEqual(findings(standard, artifact), ["dose.ptv_d95 error"])
        XCTAssertEqual(findings(custom, artifact), [], "D95 45 Gy passes a 40 Gy threshold")
        XCTAssertEqual(findings(standard, phi), ["metadata.phi error", "metadata.phi warning"])
        XCTAssertEqual(findings(custom, phi), ["metadata.phi error", "metadata.phi error"])

        XCTAssertNotEqual(custom.policy.sha256, standard.policy.sha256)
        XCTAssertEqual(custom.policy.source, path)
        XCTAssertEqual(custom.policy.checks["dose.ptv_d95"]?.thresholds["ptv70WarnBelowGy"], 40)
        XCTAssertEqual(custom.policy.checks["dose.ptv_d95"]?.thresholds["ptv56WarnBelowGy"], 53.2, "defaults stay in force")
        XCTAssertEqual(custom.policy.checks["metadata.phi"]?.severity, ["warning": "error"])
        XCTAssertEqual(AuditPolicy.standard.effective(for: .standard).sha256, standard.policy.sha256, "the default policy's hash is stable")
    }

    func testAChangedPolicyIsNotServedFromTheCache() async throws {
        _ = try await CohortFixture.truth()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-policy-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let file = CohortFixture.path(try CohortFixture.entry(for: .d95ArtifactSubtle).fileName)
        let cache = AuditOptions.cacheDirectory(workspace: work.path)
        _ = try await Auditor.run(paths: [file], options: AuditOptions(cacheDirectory: cache))
        let again = try await Auditor.run(paths: [file], options: AuditOptions(cacheDirectory: cache))
        XCTAssertEqual(again.summary.cacheHits, 1)
        let path = try write(#"{"checks": {"dose.ptv_d95": {"severity": {"error": "warning"}}}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let relaxed = try await Auditor.run(paths: [file], options: AuditOptions(cacheDirectory: cache, policy: try AuditPolicy.load(path: path)))
        XCTAssertEqual(relaxed.summary.cacheHits, 0)
        XCTAssertEqual(relaxed.cases.first?.findings.map(\.severity), [.warning])
    }
}

import Support
import Audit
import Foundation
import Lineage
import Phantoms
import Reports
import SharedCohort
import Workflows
import XCTest

/// The repository's own `datasets/` and `audits/` hold the reference cohort's records (DESIGN.md,
/// "The workspace"). Rebuilt here from the shared cohort — the same seeded cohort — they must
/// match byte for byte in what they assert, so any change to identity, record formats or check
/// behaviour shows in review. After a deliberate change: `make reference-records`.
final class ReferenceRecordsTests: XCTestCase {
    private let root = SchemaValidation.packageRoot

    func testTheCommittedRecordsAreWhatTheCodeMakesOfTheReferenceCohort() async throws {
        let options = CohortFixture.options
        let arguments = try String(contentsOf: root.appendingPathComponent("scripts/reference-cohort.args"), encoding: .utf8)
        XCTAssertEqual(arguments.trimmingCharacters(in: .whitespacesAndNewlines),
                       "--cases \(options.cleanCases) --size \(options.size.name) --defects \(options.defects.map(\.rawValue).joined(separator: ",")) --seed \(options.seed) --institutions \(options.institutions.joined(separator: ","))",
                       "the shared test cohort is the reference cohort")
        XCTAssertEqual(options.defects, PlantedDefect.referenceCohort)
        XCTAssertEqual(DemoRequest.cohort.defects, PlantedDefect.referenceCohort, "the demo's cohort is the reference cohort")

        let report = try await AuditedCohort.report()
        let built = try DatasetVersionBuilder(report: report, institutions: .parentFolder, inclusions: [:]).build()
        let id = try DatasetVersion.id(of: built.identity)
        let datasets = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("datasets").path).filter { $0.hasPrefix("dsv-") }
        XCTAssertEqual(datasets, ["\(id)@1.json"], "identity changed: run `make reference-records` if the change is deliberate")
        guard datasets == ["\(id)@1.json"] else { return }

        let recordURL = root.appendingPathComponent("datasets/\(id)@1.json")
        let envelope = try RecordEnvelope.read([UInt8](try Data(contentsOf: recordURL)), path: recordURL.path)
        XCTAssertEqual(envelope.identity.canonicalText, try JSONValue(encoding: built.identity).canonicalText)
        XCTAssertEqual(envelope.storedHash, envelope.computedHash)
        XCTAssertEqual(try SchemaValidation.errors(validating: recordURL, against: "dataset-version.schema.json"), [])
        // Python's json module, an independent canonical-JSON implementation, gets the same hash and id.
        try TestProcess.python("""
            import hashlib, json, sys
            record = json.load(open(sys.argv[1]))
            text = json.dumps(record["identity"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            assert digest == record["hash"], (digest, record["hash"])
            assert record["name"] == "dsv-" + digest[:16], record["name"]
            """, [recordURL.path])

        // The bound audit report, with the cohort's location spelled as the workspace records it.
        let prefix = CohortFixture.directory.path + "/"
        let recorded = report.renamingFiles { "cohort/" + $0.dropFirst(prefix.count) }
        let expected = String(decoding: try AuditJSON.render(recorded), as: UTF8.self).replacingOccurrences(of: prefix, with: "cohort/") + "\n"
        let committed = try String(contentsOf: root.appendingPathComponent("audits/\(id).json"), encoding: .utf8)
        XCTAssertEqual(committed, expected)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("audits/\(id).junit.xml").path))

        // The version pins its audit: the digest re-derived from the committed report, here and by
        // an independent Python implementation, is the one in the identity.
        let auditPath = root.appendingPathComponent("audits/\(id).json").path
        XCTAssertEqual(envelope.identity["auditDigest"]?.stringValue, try AuditIdentity.digest(ofReport: Array(committed.utf8), path: auditPath))
        let python = try TestProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", root.appendingPathComponent("Tests/LineageTests/Fixtures/audit_digest.py").path, auditPath])
        XCTAssertEqual(python.output.trimmingCharacters(in: .whitespacesAndNewlines), envelope.identity["auditDigest"]?.stringValue, python.errors)
    }

    /// `splits/reference@1.json`: the committed version split again (70/15/15, seed 0) gives the same record.
    func testTheCommittedSplitIsWhatTheCodeMakesOfTheCommittedVersion() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-reference-split-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for folder in ["datasets", "audits"] {
            try FileManager.default.createDirectory(at: scratch.appendingPathComponent(folder), withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path) where file.hasPrefix("dsv-") {
                try FileManager.default.copyItem(at: root.appendingPathComponent("\(folder)/\(file)"), to: scratch.appendingPathComponent("\(folder)/\(file)"))
            }
        }
        let workspace = try Workspace(path: scratch.path, create: false)
        let id = try XCTUnwrap(DatasetRevision.catalog(of: workspace).versions.keys.first)
        let (split, _) = try SplitBook.lock(.init(name: "reference", dataset: id, ratios: .init(train: 70, val: 15, test: 15)), in: workspace)
        let committedURL = root.appendingPathComponent("splits/reference@1.json")
        let committed = try RecordEnvelope.read([UInt8](try Data(contentsOf: committedURL)), path: committedURL.path)
        XCTAssertEqual(committed.identity.canonicalText, split.envelope.identity.canonicalText,
                       "the split changed: run `make reference-records` if the change is deliberate")
        XCTAssertEqual(committed.storedHash, committed.computedHash)
        XCTAssertEqual(try SchemaValidation.errors(validating: committedURL, against: "locked-split.schema.json"), [])

        // Every record and the audit (its digest, its JUnit XML rendered again) verify; only the
        // cohort's files are absent from the scratch copy.
        let verified = try await WorkspaceVerifier.verify(workspace, deep: false, renderJUnit: AuditJUnitXML.render)
        XCTAssertEqual(Set(verified.findings.map(\.kind)), [.caseMissing], "\(verified.findings)")
    }
}

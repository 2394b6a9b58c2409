import Support
import Audit
import DoseCase
import Foundation
import Lineage
import Phantoms
import Reports
import SharedCohort
import Workflows
import XCTest

/// `freeze` and `verify` end to end on small copies of the shared phantom cohort.
final class FreezeWorkflowTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-freeze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Copies cohort files (`A/case_0000.npz`…) under `folder` of the work area, keeping their institution folders.
    @discardableResult
    private func copy(_ files: [String], to folder: String) throws -> [String] {
        try files.map { file in
            let target = work.appendingPathComponent(folder).appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(file), toPath: target.path)
            return target.path
        }
    }

    private func workspace(_ name: String = "workspace") throws -> Workspace {
        try Workspace(path: work.appendingPathComponent(name).path, create: true)
    }

    private func freeze(_ paths: [String], in workspace: Workspace, institutions: InstitutionAssignment = .parentFolder,
                        policy: AuditPolicy = .standard) async throws -> FreezeOutcome {
        try await FreezeWorkflow.run(FreezeRequest(paths: paths, workspace: workspace, institutions: institutions, policy: policy))
    }

    private var cleanFiles: [String] { CohortFixture.cleanEntries.prefix(3).map(\.fileName) }

    func testFreezeWritesTheManifestAndAuditAndTheIdIsStable() async throws {
        let paths = try copy(cleanFiles, to: "delivery")
        let space = try workspace()
        let first = try await freeze([work.appendingPathComponent("delivery").path], in: space)
        XCTAssertEqual(first.change, .created)
        XCTAssertEqual(first.revision.revision, 1)
        XCTAssertEqual(first.revision.identity.cases.count, 3)
        let id = first.revision.id
        XCTAssertEqual(Array(space.files(in: "datasets")), ["\(id)@1.json"])
        XCTAssertEqual(Array(space.files(in: "audits")), ["\(id).json", "\(id).junit.xml"])
        XCTAssertEqual(id, "dsv-" + first.revision.envelope.computedHash.prefix(16))
        // The record on disk reads back to the same value, and its paths are workspace-relative or absolute.
        let stored = try DatasetRevision.read(id: id, revision: 1, from: space)
        XCTAssertEqual(stored.dataset, first.revision.dataset)
        XCTAssertTrue(stored.dataset.context.files.allSatisfy { $0.path.hasPrefix("/") })
        let audit = try JSONSerialization.jsonObject(with: Data(space.read("audits/\(id).json"))) as? [String: Any]
        XCTAssertEqual((audit?["cases"] as? [Any])?.count, 3)

        // Shuffled inputs, named one by one: the same version, nothing new written.
        let again = try await freeze(paths.reversed(), in: space)
        XCTAssertEqual(again.revision.id, id)
        XCTAssertEqual(again.change, .unchanged)
        XCTAssertEqual(Array(space.files(in: "datasets")), ["\(id)@1.json"])
    }

    /// Re-compressing a case (stored instead of deflated, by numpy itself) changes no hash.
    func testRecompressedFilesGiveTheSameId() async throws {
        try copy(cleanFiles, to: "original")
        let original = try await freeze([work.appendingPathComponent("original").path], in: try workspace("one"))
        let recompressed = try copy(cleanFiles, to: "recompressed")
        try TestProcess.python("""
            import sys, numpy as np
            for path in sys.argv[1:]:
                z = np.load(path, allow_pickle=True)
                arrays = {k: z[k] for k in reversed(z.files)}
                np.savez(path[:-4] + ".tmp.npz", **arrays)
            """, recompressed)
        for path in recompressed { try FileManager.default.removeItem(atPath: path); try FileManager.default.moveItem(atPath: String(path.dropLast(4)) + ".tmp.npz", toPath: path) }
        XCTAssertNotEqual(try Data(contentsOf: URL(fileURLWithPath: recompressed[0])),
                          try Data(contentsOf: URL(fileURLWithPath: CohortFixture.path(cleanFiles[0]))))
        let again = try await freeze([work.appendingPathComponent("recompressed").path], in: try workspace("two"))
        XCTAssertEqual(again.revision.id, original.revision.id)
        XCTAssertEqual(again.revision.identity, original.revision.identity)
    }

    func testVerifyNamesAChangedVoxelATamperedRecordAndAMissingFile() async throws {
        let space = try workspace()
        let cohort = space.file("cohort")
        let paths = try copy(cleanFiles, to: "workspace/cohort")
        let frozen = try await freeze([cohort], in: space)
        XCTAssertTrue(frozen.revision.dataset.context.files.allSatisfy { $0.path.hasPrefix("cohort/") }, "\(frozen.revision.dataset.context.files)")
        let clean = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(clean.findings, [])
        XCTAssertEqual(clean.cases, 3)
        XCTAssertEqual(clean.versions, 1)
        let deep = try await WorkspaceVerifier.verify(space, deep: true)
        XCTAssertEqual(deep.findings, [])

        // One voxel of one case's dose.
        let changedId = try XCTUnwrap(frozen.revision.identity.cases.first { frozen.revision.dataset.keptPaths[$0.caseId] == "cohort/" + cleanFiles[1] }?.caseId)
        try TestProcess.python("""
            import sys, numpy as np
            z = dict(np.load(sys.argv[1], allow_pickle=True))
            d = z["dose"]; d[d.shape[0] // 2, d.shape[1] // 2, d.shape[2] // 2] += np.float32(0.01)
            np.savez_compressed(sys.argv[1], **z)
            """, [paths[1]])
        let drift = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(drift.findings.map(\.kind), [.caseChanged])
        XCTAssertEqual(drift.findings.first?.caseId, changedId)
        XCTAssertTrue(drift.findings.first?.message.contains("dose values differ") == true, drift.findings.first?.message ?? "")

        // A missing file.
        try FileManager.default.removeItem(atPath: paths[2])
        let missing = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(Set(missing.findings.map(\.kind)), [.caseChanged, .caseMissing])

        // An edited record: its identity no longer hashes to its name.
        let name = frozen.revision.fileName
        var text = String(decoding: try space.read(name), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"institution\": \"A\"", with: "\"institution\": \"Z\"")
        try Data(text.utf8).write(to: URL(fileURLWithPath: space.file(name)))
        let tampered = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertTrue(tampered.findings.contains { $0.kind == .recordTampered && $0.record == name }, "\(tampered.findings)")

        // An audit report edited, and one left for a version that does not exist.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: space.file(frozen.revision.dataset.context.audit.report)))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: space.file("audits/dsv-0000000000000000.json")))
        let audits = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertTrue(audits.findings.contains { $0.kind == .auditChanged })
        XCTAssertTrue(audits.findings.contains { $0.kind == .unknownVersion && $0.record == "audits/dsv-0000000000000000.json" })
    }

    /// DESIGN.md, "Dataset identity and the audit": the version's identity pins the audit's digest,
    /// which `verify` re-derives from the report file, so an edited finding is found even when the
    /// SHA-256 in the (unhashed) context is rewritten to match; the JUnit XML is re-rendered from
    /// the report, so it cannot be swapped either.
    func testAnEditedAuditIsFoundEvenWithTheContextRewrittenToMatch() async throws {
        let space = try workspace()
        let artifact = try XCTUnwrap(CohortFixture.files(for: .d95ArtifactBlatant).first)
        try copy([cleanFiles[0], artifact], to: "workspace/cohort")
        let frozen = try await freeze([space.file("cohort")], in: space)
        let audit = frozen.revision.dataset.context.audit, record = frozen.revision.fileName
        XCTAssertEqual(frozen.revision.identity.auditDigest, try AuditIdentity.digest(ofReport: try space.read(audit.report), path: audit.report))
        let clean = try await WorkspaceVerifier.verify(space, deep: false, renderJUnit: AuditJUnitXML.render)
        XCTAssertEqual(clean.findings, [])
        let originalReport = try space.read(audit.report), originalJUnit = try space.read(audit.junit)

        // The artifact's PTV70 D95 made to read 70 Gy instead of 45 Gy, and the context's SHA-256 rewritten.
        var report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(originalReport)) as? [String: Any])
        var cases = try XCTUnwrap(report["cases"] as? [[String: Any]])
        let index = try XCTUnwrap(cases.firstIndex { ($0["file"] as? String)?.hasSuffix(artifact) == true })
        var findings = try XCTUnwrap(cases[index]["findings"] as? [[String: Any]])
        var measured = try XCTUnwrap(findings.first?["measured"] as? [String: Any])
        XCTAssertEqual(findings.first?["check"] as? String, "dose.ptv_d95")
        measured["d95Gy"] = 70.0
        findings[0]["measured"] = measured
        cases[index]["findings"] = findings
        report["cases"] = cases
        let edited = [UInt8](try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]))
        try write(edited, to: audit.report, in: space)
        try rewriteAuditContext(of: record, in: space, ["reportSHA256": SHA256Hex.of(edited)])
        let found = try await WorkspaceVerifier.verify(space, deep: false, renderJUnit: AuditJUnitXML.render)
        XCTAssertEqual(found.findings.map(\.kind), [.auditChanged], "\(found.findings)")
        XCTAssertEqual(found.findings.first?.path, audit.report)
        XCTAssertTrue(found.findings.first?.message.contains("no longer holds the audit the version was frozen with") == true, "\(found.findings)")

        // The report restored; the JUnit XML replaced (a passing test case) and its SHA-256 rewritten.
        try write(originalReport, to: audit.report, in: space)
        let forgedJUnit = Array(String(decoding: originalJUnit, as: UTF8.self).replacingOccurrences(of: "<failure", with: "<skipped").utf8)
        XCTAssertNotEqual(forgedJUnit, originalJUnit)
        try write(forgedJUnit, to: audit.junit, in: space)
        try rewriteAuditContext(of: record, in: space, ["reportSHA256": SHA256Hex.of(originalReport), "junitSHA256": SHA256Hex.of(forgedJUnit)])
        let junit = try await WorkspaceVerifier.verify(space, deep: false, renderJUnit: AuditJUnitXML.render)
        XCTAssertEqual(junit.findings.map(\.kind), [.auditChanged], "\(junit.findings)")
        XCTAssertEqual(junit.findings.first?.path, audit.junit)
    }

    /// The audit's identity leaves out where files lay: a folder holding an exact duplicate, a
    /// near-duplicate pair and an unreadable file (findings whose messages name files) keeps its
    /// id when it moves, and `verify` passes on the new revision.
    func testTheAuditDigestDoesNotDependOnWhereTheFilesLie() async throws {
        let space = try workspace()
        let files = [cleanFiles[0]] + CohortFixture.files(for: .exactDuplicate) + CohortFixture.files(for: .nearDuplicate)
            + CohortFixture.files(for: .truncatedFile)
        try copy(files, to: "workspace/old")
        let first = try await freeze([space.file("old")], in: space)
        XCTAssertTrue(first.report.cases.contains { $0.findings.contains { $0.message.contains(space.file("old")) } })
        try FileManager.default.createDirectory(atPath: space.file("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: space.file("old"), toPath: space.file("elsewhere/new"))
        let second = try await freeze([space.file("elsewhere/new")], in: space)
        XCTAssertEqual(second.revision.id, first.revision.id)
        XCTAssertEqual(second.change, .repointed(parent: first.revision.reference))
        XCTAssertEqual(try AuditIdentity.digest(of: second.report), first.revision.identity.auditDigest)
        let verified = try await WorkspaceVerifier.verify(space, deep: false, renderJUnit: AuditJUnitXML.render)
        XCTAssertEqual(verified.findings, [])
    }

    /// A hash cache entry holding a wrong identity makes plain `verify` report drift; `verify
    /// --deep` re-reads the file, passes, and replaces the entry, so plain `verify` passes again.
    func testVerifyDeepReplacesAPoisonedHashCacheEntry() async throws {
        let space = try workspace()
        try copy(cleanFiles, to: "workspace/cohort")
        _ = try await freeze([space.file("cohort")], in: space)
        let folder = space.cacheDirectory + "/hash"
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(entries.count, cleanFiles.count)
        let url = URL(fileURLWithPath: "\(folder)/\(entries[0])")
        var entry = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var identity = try XCTUnwrap(entry["identity"] as? [String: Any])
        var arrays = try XCTUnwrap(identity["arrays"] as? [String: Any])
        var dose = try XCTUnwrap(arrays["dose"] as? [String: Any])
        dose["sha256"] = String(repeating: "0", count: 64)
        arrays["dose"] = dose
        identity["arrays"] = arrays
        entry["identity"] = identity
        try JSONSerialization.data(withJSONObject: entry).write(to: url)

        let poisoned = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(poisoned.findings.map(\.kind), [.caseChanged])
        XCTAssertTrue(poisoned.findings.first?.message.contains("dose values differ") == true, "\(poisoned.findings)")
        let deep = try await WorkspaceVerifier.verify(space, deep: true)
        XCTAssertEqual(deep.findings, [])
        let plain = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(plain.findings, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted(), entries)
    }

    /// Every case excluded: `freeze` refuses and writes nothing, neither a version nor an audit.
    func testAVersionThatWouldKeepNoCaseIsRefused() async throws {
        let files = CohortFixture.files(for: .d95ArtifactBlatant) + CohortFixture.files(for: .truncatedFile)
        try copy(files, to: "delivery")
        let space = try workspace()
        do {
            _ = try await freeze([work.appendingPathComponent("delivery").path], in: space)
            XCTFail("freeze wrote a version that keeps no case")
        } catch let LineageError.nothingKept(audited, excluded) {
            XCTAssertEqual(audited, 2)
            XCTAssertEqual(excluded, ["audit-errors": 1, "unreadable": 1])
            XCTAssertTrue("\(LineageError.nothingKept(audited: audited, excluded: excluded))"
                .hasPrefix("no case of the 2 audited passed the audit; nothing to freeze (1 with audit errors, 1 unreadable"))
        }
        XCTAssertEqual(space.files(in: "datasets"), [])
        XCTAssertEqual(space.files(in: "audits"), [])
    }

    private func write(_ bytes: [UInt8], to name: String, in space: Workspace) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: space.file(name)))
    }

    /// Rewrites members of a dataset record's `context.audit`, as someone covering an edit would:
    /// the context is not hashed, so the record stays intact.
    private func rewriteAuditContext(of record: String, in space: Workspace, _ members: [String: String]) throws {
        guard case var .object(top) = try JSONValue.parse(try space.read(record)), case var .object(context)? = top["context"],
              case var .object(audit)? = context["audit"] else { return XCTFail("\(record) is not a dataset record") }
        for (key, value) in members { audit[key] = .string(value) }
        context["audit"] = .object(audit)
        top["context"] = .object(context)
        try write(JSONValue.object(top).canonicalUTF8 + [0x0A], to: record, in: space)
    }

    /// Moving the files and freezing the new place gives the same id and a revision naming its parent.
    func testMovedFilesAreRepointedByANewRevision() async throws {
        let space = try workspace()
        try copy(cleanFiles, to: "workspace/old")
        let first = try await freeze([space.file("old")], in: space)
        try FileManager.default.moveItem(atPath: space.file("old"), toPath: space.file("new"))
        let moved = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(moved.findings.map(\.kind), [.caseMissing, .caseMissing, .caseMissing])

        let second = try await freeze([space.file("new")], in: space)
        XCTAssertEqual(second.revision.id, first.revision.id)
        XCTAssertEqual(second.change, .repointed(parent: "\(first.revision.id)@1"))
        XCTAssertEqual(second.revision.revision, 2)
        XCTAssertEqual(second.revision.dataset.context.parent, "\(first.revision.id)@1")
        XCTAssertTrue(second.revision.dataset.context.files.allSatisfy { $0.path.hasPrefix("new/") })
        XCTAssertEqual(second.revision.dataset.context.audit, first.revision.dataset.context.audit)
        XCTAssertEqual(Array(space.files(in: "datasets")), ["\(first.revision.id)@1.json", "\(first.revision.id)@2.json"])
        let verified = try await WorkspaceVerifier.verify(space, deep: false)
        XCTAssertEqual(verified.findings, [])
        XCTAssertEqual(verified.records, 2)
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: space.file(second.revision.fileName)),
                                                   against: "dataset-version.schema.json"), [])
    }

    func testTwoFilesClaimingOneIdWithDifferentDataAreRefused() async throws {
        let paths = try copy([cleanFiles[0]], to: "one") + copy([cleanFiles[0]], to: "two")
        try TestProcess.python("""
            import sys, numpy as np
            z = dict(np.load(sys.argv[1], allow_pickle=True))
            z["ct"][0, 0, 0] += np.float32(0.001)
            np.savez_compressed(sys.argv[1], **z)
            """, [paths[1]])
        let space = try workspace()
        do {
            _ = try await freeze(paths, in: space)
            XCTFail("freeze accepted two different cases under one id")
        } catch let LineageError.conflictingCaseId(caseId, files) {
            XCTAssertEqual(Set(files), Set(paths))
            XCTAssertTrue(cleanFiles[0].contains(caseId))
            XCTAssertTrue("\(LineageError.conflictingCaseId(caseId: caseId, files: files))".contains(paths[0]))
        }
        XCTAssertEqual(space.files(in: "datasets"), [])
    }

    /// The same data under two ids (no `metadata.case_id`, two file names): the first id is kept,
    /// the other excluded as its duplicate.
    func testIdenticalDataUnderTwoIdsKeepsTheFirst() async throws {
        let source = try copy([cleanFiles[0]], to: "source")[0]
        let folder = work.appendingPathComponent("twins")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try TestProcess.python("""
            import sys, numpy as np
            z = dict(np.load(sys.argv[1], allow_pickle=True))
            meta = z["metadata"].item(); del meta["case_id"]
            z["metadata"] = np.array(meta, dtype=object)
            for target in sys.argv[2:]:
                np.savez_compressed(target, **z)
            """, [source, folder.appendingPathComponent("patient_b.npz").path, folder.appendingPathComponent("patient_a.npz").path])
        let outcome = try await freeze([folder.path], in: try workspace())
        XCTAssertEqual(outcome.revision.identity.cases.map(\.caseId), ["patient_a"])
        let excluded = try XCTUnwrap(outcome.revision.identity.excluded.first)
        XCTAssertEqual(excluded.caseId, "patient_b")
        XCTAssertEqual(excluded.reason, .duplicate)
        XCTAssertEqual(excluded.duplicateOf, "patient_a")
        XCTAssertEqual(excluded.checks, [DatasetDuplicatesCheck.id])
        XCTAssertEqual(excluded.institution, "twins")
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: outcome.revision.fileName, relativeTo: URL(fileURLWithPath: work.appendingPathComponent("workspace").path + "/")),
                                                   against: "dataset-version.schema.json"), [])
    }

    /// An excluded case and a justified inclusion survive the trip through the manifest file.
    func testExclusionsAndJustifiedInclusionsRoundTrip() async throws {
        let truth = try await CohortFixture.truth()
        let swapped = try XCTUnwrap(CohortFixture.files(for: .femurSwap).first)
        let artifact = try XCTUnwrap(CohortFixture.files(for: .d95ArtifactBlatant).first)
        try copy([cleanFiles[0], swapped, artifact], to: "delivery")
        let swappedId = try XCTUnwrap(truth.cases[swapped]?.caseId), artifactId = try XCTUnwrap(truth.cases[artifact]?.caseId)
        let policy = AuditPolicy(include: [swappedId: "femur labels checked against the CT by a physicist"])
        let space = try workspace()
        let outcome = try await freeze([work.appendingPathComponent("delivery").path], in: space, institutions: .fixed("North"), policy: policy)
        let stored = try DatasetRevision.read(id: outcome.revision.id, revision: 1, from: space).dataset
        XCTAssertEqual(stored.identity.cases.map(\.caseId).sorted(), [truth.cases[cleanFiles[0]]?.caseId, swappedId].compactMap { $0 }.sorted())
        XCTAssertEqual(stored.identity.cases.first { $0.caseId == swappedId }?.inclusion?.justification, "femur labels checked against the CT by a physicist")
        XCTAssertEqual(stored.identity.excluded.map(\.caseId), [artifactId])
        XCTAssertEqual(stored.identity.excluded.first?.checks, ["dose.ptv_d95"])
        XCTAssertEqual(stored.context.institutionSource, "--institution North")
        XCTAssertTrue(stored.identity.cases.allSatisfy { $0.institution == "North" })
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: space.file(outcome.revision.fileName)),
                                                   against: "dataset-version.schema.json"), [])
    }
}

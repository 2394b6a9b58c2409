import Audit
import Foundation
import Phantoms
import SharedCohort
import XCTest

/// The runner: delivery archives read in place give the findings the same files give on disk;
/// the cache is used for unchanged files and dropped for changed ones; storage details that are
/// legal NumPy raise nothing.
final class AuditRunnerTests: XCTestCase {
    static func sortedJSON<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// A case's findings and identity with every spelling of where the cohort lives removed. An
    /// unreadable file is compared by check and severity only: read from disk its damage shows in
    /// the missing ZIP directory, streamed from an archive in the member the data stops in.
    static func comparable(_ audit: CaseAudit, prefixes: [String]) throws -> String {
        let findings = audit.findings.map { finding in
            finding.check == FileReadableCheck.id ? AuditFinding(check: finding.check, severity: finding.severity, message: "") : finding
        }
        var text = String(decoding: try sortedJSON(findings), as: UTF8.self)
        text = text.replacingOccurrences(of: "\\/", with: "/")
        for prefix in prefixes { text = text.replacingOccurrences(of: prefix, with: "") }
        return [audit.caseId ?? "-", audit.caseHash ?? "-", audit.planType ?? "-", audit.status.rawValue, text].joined(separator: " ")
    }

    func testATarGzDeliveryGivesTheFolderFindings() async throws {
        let folder = try await AuditedCohort.report()
        let root = CohortFixture.directory
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-delivery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = work.appendingPathComponent("delivery.tar.gz").path
        let tar = try TestProcess.run(URL(fileURLWithPath: "/usr/bin/env"),
                                      ["tar", "-czf", archive, "-C", root.deletingLastPathComponent().path, root.lastPathComponent])
        XCTAssertEqual(tar.status, 0, tar.errors)
        let delivered = try await Auditor.run(paths: [archive], options: AuditOptions(cacheDirectory: nil))

        let folderPrefix = root.path + "/"
        let archivePrefix = archive + "!" + root.lastPathComponent + "/"
        XCTAssertEqual(delivered.cases.map { $0.file.replacingOccurrences(of: archivePrefix, with: "") },
                       folder.cases.map { $0.file.replacingOccurrences(of: folderPrefix, with: "") })
        for (inArchive, onDisk) in zip(delivered.cases, folder.cases) {
            XCTAssertEqual(try Self.comparable(inArchive, prefixes: [archivePrefix]), try Self.comparable(onDisk, prefixes: [folderPrefix]),
                           inArchive.file)
        }
        let truncated = try XCTUnwrap(delivered.cases.first { $0.file.hasSuffix(CohortFixture.files(for: .truncatedFile)[0]) })
        XCTAssertEqual(truncated.findings.map(\.check), [FileReadableCheck.id])
    }

    func testTheCacheIsHitForUnchangedFilesAndDroppedForChangedOnes() async throws {
        _ = try await CohortFixture.truth()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-cache-\(UUID().uuidString)")
        let cases = work.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: cases, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let files = [CohortFixture.cleanEntries[0].fileName, try CohortFixture.entry(for: .nanDose).fileName,
                     try CohortFixture.entry(for: .truncatedFile).fileName]
        for (index, file) in files.enumerated() {
            try FileManager.default.copyItem(atPath: CohortFixture.path(file), toPath: cases.appendingPathComponent("c\(index).npz").path)
        }
        let options = AuditOptions(cacheDirectory: AuditOptions.cacheDirectory(workspace: work.path))
        let cold = try await Auditor.run(paths: [cases.path], options: options)
        XCTAssertEqual(cold.summary.cacheHits, 0)
        let warm = try await Auditor.run(paths: [cases.path], options: options)
        XCTAssertEqual(warm.summary.cacheHits, 3)
        XCTAssertEqual(try Self.sortedJSON(warm.cases), try Self.sortedJSON(cold.cases))

        // Replace one file's bytes with another case's: its entry no longer matches.
        let changed = cases.appendingPathComponent("c0.npz").path
        try FileManager.default.removeItem(atPath: changed)
        try FileManager.default.copyItem(atPath: CohortFixture.path(CohortFixture.cleanEntries[1].fileName), toPath: changed)
        let afterChange = try await Auditor.run(paths: [cases.path], options: options)
        XCTAssertEqual(afterChange.summary.cacheHits, 2)
        XCTAssertNotEqual(afterChange.cases[0].caseHash, cold.cases[0].caseHash)
        let noCache = try await Auditor.run(paths: [cases.path], options: AuditOptions(cacheDirectory: nil))
        XCTAssertEqual(noCache.summary.cacheHits, 0)
        XCTAssertEqual(try Self.sortedJSON(noCache.cases), try Self.sortedJSON(afterChange.cases))
    }

    /// numpy rewrites a clean case with a big-endian Fortran-ordered CT and bool masks: the CT is
    /// the same data (same hash, no finding); bool masks are a warning, nothing else.
    func testByteOrderAndFortranOrderAreNeverFindings() async throws {
        _ = try await CohortFixture.truth()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-layout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let source = CohortFixture.path(CohortFixture.cleanEntries[0].fileName)
        let rewritten = work.appendingPathComponent("rewritten.npz").path
        let script = """
        import sys, numpy as np
        z = np.load(sys.argv[1], allow_pickle=True)
        arrays = {k: z[k] for k in z.files}
        arrays["ct"] = np.asfortranarray(arrays["ct"].astype(">f4"))
        arrays["masks"] = arrays["masks"].astype(bool)
        np.savez_compressed(sys.argv[2], **arrays)
        """
        try TestProcess.python(script, [source, rewritten])
        let report = try await Auditor.run(paths: [source, rewritten], options: AuditOptions(cacheDirectory: nil))
        let original = try XCTUnwrap(report.cases.first { $0.file == source })
        let changed = try XCTUnwrap(report.cases.first { $0.file == rewritten })
        XCTAssertEqual(changed.arrays["ct"], original.arrays["ct"])
        XCTAssertEqual(changed.arrays["masks"]?.dtype, "|b1")
        XCTAssertEqual(changed.findings.filter { $0.check != DatasetDuplicatesCheck.id }.map { "\($0.check) \($0.severity)" },
                       ["format.dtypes warning"])
        // Same patient, same CT: the two files are near-duplicates, not exact ones.
        XCTAssertEqual(changed.findings.filter { $0.check == DatasetDuplicatesCheck.id }.map(\.severity), [.warning])
    }

    func testPathsThatCannotBeReadAtAllStopTheAudit() async throws {
        do {
            _ = try await Auditor.run(paths: ["/no/such/cohort"], options: AuditOptions(cacheDirectory: nil))
            XCTFail("a missing path must throw")
        } catch let error as AuditError {
            XCTAssertEqual(error, .pathNotFound("/no/such/cohort"))
        }
    }
}

import Audit
import Foundation
import Lineage
import Phantoms
import SharedCohort
import XCTest

/// What a version keeps and leaves out, decided on the shared phantom cohort's audit and checked
/// against the cohort's truth file.
final class DatasetVersionBuilderTests: XCTestCase {
    private func build(_ report: AuditReport, institutions: InstitutionAssignment = .parentFolder,
                       inclusions: [String: String] = [:]) throws -> DatasetVersionBuilder.Result {
        try DatasetVersionBuilder(report: report, institutions: institutions, inclusions: inclusions).build()
    }

    func testCleanCasesAreKeptAndCasesWithErrorsAreExcludedWithTheirChecks() async throws {
        let report = try await AuditedCohort.report()
        let truth = try await CohortFixture.truth()
        let result = try build(report)
        let kept = Dictionary(uniqueKeysWithValues: result.identity.cases.map { ($0.caseId, $0) })
        let excluded = Dictionary(uniqueKeysWithValues: result.identity.excluded.map { ($0.caseId, $0) })

        for entry in CohortFixture.cleanEntries {
            let truthCase = try XCTUnwrap(truth.cases[entry.fileName], entry.fileName)
            let version = try XCTUnwrap(kept[truthCase.caseId], "clean \(truthCase.caseId) kept")
            XCTAssertEqual(version.institution, truthCase.institution)
            XCTAssertEqual(version.planType, truthCase.planType)
            XCTAssertEqual(version.formatVersion, truthCase.formatVersion)
            XCTAssertGreaterThan(version.ptv70VolumeCC ?? 0, 10, "\(truthCase.caseId) PTV70 volume")
            XCTAssertNil(version.inclusion)
        }
        // A case is out exactly when the audit found an error in it (duplicates aside), and the
        // exclusion names those checks.
        for audit in report.cases {
            let caseId = try XCTUnwrap(audit.caseId ?? audit.file.split(separator: "/").last.map { String($0.dropLast(4)) })
            let errors = Set(audit.findings.filter { $0.severity == .error && $0.check != DatasetDuplicatesCheck.id }.map(\.check))
            if audit.caseHash == nil {
                XCTAssertEqual(excluded[caseId]?.reason, .unreadable, caseId)
            } else if !errors.isEmpty {
                XCTAssertEqual(excluded[caseId]?.reason, .auditErrors, caseId)
                XCTAssertEqual(Set(excluded[caseId]?.checks ?? []), errors, caseId)
            }
        }
        for defect in [PlantedDefect.d95ArtifactBlatant, .femurSwap, .planTypeMislabel, .rxNormalization, .nanDose, .maliciousPickle, .truncatedFile] {
            let file = try XCTUnwrap(CohortFixture.files(for: defect).first)
            let caseId = try XCTUnwrap(truth.cases[file]?.caseId)
            XCTAssertNotNil(excluded[caseId], "\(defect) excluded")
            XCTAssertNil(kept[caseId], "\(defect) not kept")
        }
        XCTAssertEqual(result.identity.cases.map(\.caseId), result.identity.cases.map(\.caseId).sorted())
        XCTAssertEqual(result.identity.excluded.map(\.caseId), result.identity.excluded.map(\.caseId).sorted())
    }

    /// The planted exact duplicate shares its original's case id: one case, the other file a copy.
    func testAnExactCopyUnderTheSameIdIsOneCaseWithACopy() async throws {
        let report = try await AuditedCohort.report()
        let result = try build(report)
        let files = CohortFixture.files(for: .exactDuplicate)
        let copies = result.files.filter { $0.role == .copy }
        XCTAssertEqual(copies.count, 1)
        XCTAssertTrue(files.contains { copies[0].location.name.hasSuffix($0) }, "\(copies) among \(files)")
        XCTAssertEqual(result.identity.cases.count { $0.caseId == copies[0].caseId }, 1)
    }

    func testAJustifiedInclusionIsKeptWithItsJustificationAndChecks() async throws {
        let report = try await AuditedCohort.report()
        let truth = try await CohortFixture.truth()
        let file = try XCTUnwrap(CohortFixture.files(for: .femurSwap).first)
        let caseId = try XCTUnwrap(truth.cases[file]?.caseId)
        let justification = "laterality checked by hand against the CT; labels are right"
        let result = try build(report, inclusions: [caseId: justification, "case_9999": "not in this delivery"])
        let kept = try XCTUnwrap(result.identity.cases.first { $0.caseId == caseId })
        XCTAssertEqual(kept.inclusion, DatasetVersion.Inclusion(justification: justification, checks: ["labels.femur_laterality"]))
        XCTAssertEqual(kept.auditStatus, "fail")
        XCTAssertFalse(result.identity.excluded.contains { $0.caseId == caseId })
        XCTAssertEqual(result.unusedInclusions, ["case_9999"])
        XCTAssertNotEqual(try DatasetVersion.id(of: result.identity), try DatasetVersion.id(of: build(report).identity))
    }

    func testAnUnreadableCaseCannotBeIncluded() async throws {
        let report = try await AuditedCohort.report()
        let file = try XCTUnwrap(CohortFixture.files(for: .truncatedFile).first)
        let caseId = String(file.split(separator: "/").last?.dropLast(4) ?? "")
        XCTAssertThrowsError(try build(report, inclusions: [caseId: "please"])) { error in
            XCTAssertEqual(error as? LineageError, .invalidInclusion(caseId: caseId, reason: "the file cannot be read, so there is nothing to include"))
        }
    }

    /// Paths are context: the same audit under other paths gives the same identity and id.
    func testTheIdDependsOnTheDataNotWhereItLies() async throws {
        let report = try await AuditedCohort.report()
        let prefix = CohortFixture.directory.path
        let moved = report.renamingFiles { $0.replacingOccurrences(of: prefix, with: "/elsewhere/delivery") }
        let here = try build(report), there = try build(moved)
        XCTAssertEqual(here.identity, there.identity)
        XCTAssertEqual(try DatasetVersion.id(of: here.identity), try DatasetVersion.id(of: there.identity))
        XCTAssertTrue(DatasetRevision.isVersionId(try DatasetVersion.id(of: here.identity)))
        // Institutions are identity: naming them differently is another version.
        let renamed = try build(report, institutions: .fixed("Hospital C"))
        XCTAssertTrue(renamed.identity.cases.allSatisfy { $0.institution == "Hospital C" })
        XCTAssertNotEqual(try DatasetVersion.id(of: renamed.identity), try DatasetVersion.id(of: here.identity))
    }

    func testAnInstitutionMapMustNameEveryCase() async throws {
        let report = try await AuditedCohort.report()
        let result = try build(report)
        let ids = (result.identity.cases.map(\.caseId) + result.identity.excluded.map(\.caseId)).sorted()
        var map = Dictionary(uniqueKeysWithValues: ids.map { ($0, "North") })
        map.removeValue(forKey: ids[0])
        map.removeValue(forKey: ids[1])
        XCTAssertThrowsError(try build(report, institutions: .map(path: "sites.csv", institutions: map))) { error in
            XCTAssertEqual(error as? LineageError, .institutionsMissing(caseIds: [ids[0], ids[1]], map: "sites.csv"))
        }
    }

    func testInstitutionMapCSVIsReadAndBadOnesAreRefusedByLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.csv")
        try "caseId,institution\r\ncase_0001, North \n\ncase_0002,South\n".write(to: good, atomically: true, encoding: .utf8)
        XCTAssertEqual(try InstitutionAssignment.loadMap(path: good.path),
                       .map(path: good.path, institutions: ["case_0001": "North", "case_0002": "South"]))
        let refusals = [("id,site\na,b\n", "header"), ("caseId,institution\na,b,c\n", "line 2"),
                        ("caseId,institution\na,North\na,South\n", "both North and South"), ("caseId,institution\n,North\n", "line 2")]
        for (text, reason) in refusals {
            let bad = folder.appendingPathComponent("bad.csv")
            try text.write(to: bad, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try InstitutionAssignment.loadMap(path: bad.path), text) {
                XCTAssertEqual(($0 as? LineageError)?.code, "lineage.invalid_institution_map", "\($0)")
                guard case let .invalidInstitutionMap(path, found)? = $0 as? LineageError else { return }
                XCTAssertEqual(path, bad.path)
                // What a user reads names the line (or the header) at fault.
                XCTAssertTrue(found.description.contains(reason), "\($0)")
            }
        }
    }
}

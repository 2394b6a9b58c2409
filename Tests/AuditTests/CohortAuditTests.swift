import Audit
import Foundation
import Phantoms
import SharedCohort
import XCTest

/// The whole check catalog on the shared phantom cohort (a clean case of every version × plan
/// type, every planted defect): each defect is flagged with the check ids `truth.json` expects,
/// clean means clean (no errors, no warnings; info allowed), and no defect trips a check it does
/// not claim.
final class CohortAuditTests: XCTestCase {
    static let catalogIds = Set(CheckCatalog.standard.definitions.map(\.id))

    func testEveryPlantedDefectIsFlaggedWithItsCheckIds() async throws {
        for defect in PlantedDefect.allCases {
            let expected = defect.expectedChecks
            XCTAssertTrue(Set(expected).isSubset(of: Self.catalogIds), "\(defect.rawValue) expects checks the catalog lacks")
            for file in CohortFixture.files(for: defect) {
                let audit = try await audited(file)
                let fired = Set(audit.findings.filter { $0.severity >= .warning }.map(\.check))
                for id in expected {
                    XCTAssertTrue(fired.contains(id), "\(defect.rawValue) (\(file)): \(id) did not fire; findings \(audit.findings)")
                }
            }
        }
    }

    func testCleanMeansCleanOnEveryVersionAndPlanType() async throws {
        for entry in CohortFixture.cleanEntries {
            let audit = try await audited(entry.fileName)
            XCTAssertEqual(audit.status, .pass, "\(entry.fileName): \(audit.findings)")
            XCTAssertNotNil(audit.caseHash)
            XCTAssertEqual(audit.planType, entry.recipe.planType.rawValue)
        }
    }

    func testADefectTripsOnlyTheChecksItClaims() async throws {
        for defect in PlantedDefect.allCases {
            for file in CohortFixture.files(for: defect) {
                let audit = try await audited(file)
                let fired = Set(audit.findings.filter { $0.severity >= .warning }.map(\.check))
                XCTAssertTrue(fired.isSubset(of: Set(defect.expectedChecks)), "\(defect.rawValue): \(audit.findings)")
            }
        }
    }

    func testExactDuplicatesFailEveryCopyButTheFirstAndNearDuplicatesWarn() async throws {
        let exact = CohortFixture.files(for: .exactDuplicate)
        let first = try await audited(exact[0])
        let copy = try await audited(exact[1])
        XCTAssertEqual(first.caseId, copy.caseId, "an exact copy carries the same case id; the file path breaks the tie")
        XCTAssertEqual(first.findings.map(\.severity), [.warning])
        XCTAssertEqual(copy.findings.map(\.severity), [.error])
        XCTAssertTrue(copy.findings[0].message.contains(CohortFixture.path(exact[0])), copy.findings[0].message)
        for file in CohortFixture.files(for: .nearDuplicate) {
            let audit = try await audited(file)
            XCTAssertEqual(audit.findings.map(\.severity), [.warning], "\(audit.findings)")
            XCTAssertEqual(audit.findings.first?.measured["ctDistanceHU"], .number(0))
        }
    }

    func testTheMaliciousPickleIsRefusedNamingWhatItCalls() async throws {
        let file = try CohortFixture.entry(for: .maliciousPickle).fileName
        let audit = try await audited(file)
        let finding = try XCTUnwrap(audit.findings.first { $0.check == MetadataSafeCheck.id })
        XCTAssertEqual(finding.severity, .error)
        XCTAssertTrue(finding.message.contains("os.system") && finding.message.contains("nothing was executed"), finding.message)
        XCTAssertNil(audit.caseHash, "a case whose metadata cannot be decoded has no identity")
    }

    func testMeasuredValuesLocateTheProblem() async throws {
        let nan = try await audited(CohortFixture.entry(for: .nanDose).fileName)
        let finite = try XCTUnwrap(nan.findings.first { $0.check == ValuesFiniteCheck.id })
        XCTAssertEqual(finite.measured["array"], "dose")
        guard case let .integer(count)? = finite.measured["count"], case let .list(index)? = finite.measured["firstIndex"] else {
            return XCTFail("\(finite.measured)")
        }
        XCTAssertGreaterThan(count, 0)
        XCTAssertEqual(index.count, 3)
        let phi = try await audited(CohortFixture.entry(for: .phiMetadata).fileName)
        let report = try String(decoding: JSONEncoder().encode(phi), as: UTF8.self)
        XCTAssertFalse(report.contains("DOE") || report.contains("00451278") || report.contains("19580314"),
                       "the report names where identifying data sits, never the data: \(report)")
        XCTAssertEqual(Set(phi.findings.map(\.severity)), [.error, .warning])
    }
}

/// The shared cohort's audit of one of its files.
func audited(_ file: String) async throws -> CaseAudit {
    let audit = try await AuditedCohort.audit(of: file)
    return try XCTUnwrap(audit, "no audit of \(file)")
}

import Audit
import Foundation
import Phantoms
import SharedCohort
import XCTest

/// What the clinical checks measure on their planted defects: the numbers a physicist needs to
/// believe the finding.
final class ClinicalChecksTests: XCTestCase {
    func finding(_ check: String, in defect: PlantedDefect) async throws -> AuditFinding {
        let audit = try await audited(CohortFixture.entry(for: defect).fileName)
        return try XCTUnwrap(audit.findings.first { $0.check == check }, "\(check) on \(defect.rawValue): \(audit.findings)")
    }

    func number(_ finding: AuditFinding, _ key: String) throws -> Double {
        switch finding.measured[key] {
        case let .number(value)?: return value
        case let .integer(value)?: return Double(value)
        default: throw XCTSkip("no number \(key) in \(finding.measured)")
        }
    }

    /// The artifact (D95 45 / 58 Gy planted) is diagnosed as a boundary artifact: D95 recovers on
    /// the PTV eroded by 2 mm while the mean stays near Rx.
    func testD95ArtifactsAreDiagnosedAsBoundaryArtifacts() async throws {
        for (defect, plantedGy) in [(PlantedDefect.d95ArtifactBlatant, 45.0), (.d95ArtifactSubtle, 58.0)] {
            let d95 = try await finding(PTVD95Check.id, in: defect)
            XCTAssertEqual(try number(d95, "d95Gy"), plantedGy, accuracy: 0.5, defect.rawValue)
            XCTAssertGreaterThanOrEqual(try number(d95, "d95Eroded2mmGy"), 66.5)
            XCTAssertGreaterThan(try number(d95, "meanGy"), 63)
            XCTAssertEqual(d95.measured["boundaryArtifact"], .flag(true))
            XCTAssertTrue(d95.message.hasPrefix("boundary artifact: mask edge lies in the dose fall-off"), d95.message)
            XCTAssertEqual(d95.severity, .error, "below the pipeline's 64 Gy alarm")
        }
    }

    /// A misregistered dose is not a boundary artifact: eroding does not bring D95 back.
    func testMisregistrationFailsBothRegistrationAndD95WithoutRecovery() async throws {
        let registration = try await finding(DoseRegistrationCheck.id, in: .doseMisregistration)
        XCTAssertFalse((0.85...1.15).contains(try number(registration, "ptv70MeanOfRx")))
        let d95 = try await finding(PTVD95Check.id, in: .doseMisregistration)
        XCTAssertEqual(d95.measured["boundaryArtifact"], .flag(false))
        XCTAssertLessThan(try number(d95, "d95Eroded2mmGy"), 66.5)
    }

    func testSwappedFemursReportTheirSidesAndDoses() async throws {
        let femur = try await finding(FemurLateralityCheck.id, in: .femurSwap)
        XCTAssertEqual(femur.severity, .error)
        XCTAssertLessThan(try number(femur, "leftMinusRightMM"), -50, "Femur_L sits on the patient's right")
        XCTAssertNotNil(femur.measured["femurLMeanGy"])
        XCTAssertNotNil(femur.measured["femurRMeanGy"])
        XCTAssertTrue(femur.message.contains("swapped"), femur.message)
    }

    func testMirroredCasesNameTheAxisAndEveryCue() async throws {
        let rows = try await finding(AnatomyOrientationCheck.id, in: .mirroredAnteriorPosterior)
        XCTAssertEqual(rows.severity, .error)
        XCTAssertEqual(rows.measured["rowsVotes"], .list([.integer(0), .integer(3)]))
        XCTAssertEqual(rows.measured["slicesVotes"], .list([.integer(3), .integer(0)]))
        XCTAssertLessThan(try number(rows, "rectumPosteriorToProstateMM"), -20, "the rectum in front of the prostate")
        let slices = try await finding(AnatomyOrientationCheck.id, in: .mirroredSuperiorInferior)
        XCTAssertEqual(slices.measured["slicesVotes"], .list([.integer(0), .integer(3)]))
        XCTAssertLessThan(try number(slices, "bladderSuperiorToProstateMM"), -20, "the bladder below the prostate")
        let columns = try await finding(FemurLateralityCheck.id, in: .mirroredLeftRight)
        XCTAssertLessThan(try number(columns, "leftMinusRightMM"), -50)
        XCTAssertTrue(columns.message.contains("mirrored left–right"), columns.message)
    }

    func testDoubledSpacingPutsTheFemursTooFarApart() async throws {
        let spacing = try await finding(GeometrySpacingCheck.id, in: .inPlaneSpacingDoubled)
        XCTAssertEqual(spacing.severity, .error)
        XCTAssertEqual(spacing.measured["spacingMM"], .list([.number(4), .number(4), .number(2.5)]))
        XCTAssertGreaterThan(try number(spacing, "femurSeparationMM"), 280)
        XCTAssertGreaterThan(try number(spacing, "femurDepthMM"), 85)
        XCTAssertTrue(spacing.message.hasSuffix("the in-plane spacing looks too large"), spacing.message)
    }

    func testImpossibleNestingAndAnotherPatientsDose() async throws {
        let nesting = try await finding(TargetsGeometryCheck.id, in: .ptv56InsidePTV70)
        XCTAssertEqual(try number(nesting, "ptv56InsidePTV70Share"), 1)
        XCTAssertTrue(nesting.message.contains("100.0 % of PTV56 lies inside PTV70"), nesting.message)
        let foreign = try await finding(DoseConsistencyCheck.id, in: .doseFromAnotherCase)
        // The other patient lies 12 mm superior and 8 mm right; the centroids of two different
        // prostates add a few mm.
        guard case let .list(offset)? = foreign.measured["offsetRowsColumnsSlicesMM"], offset.count == 3,
              case let .number(columns) = offset[1], case let .number(slices) = offset[2] else { return XCTFail("\(foreign.measured)") }
        XCTAssertEqual(columns, -8, accuracy: 3)
        XCTAssertEqual(slices, 12, accuracy: 3)
        XCTAssertTrue(foreign.message.contains("another patient's plan"), foreign.message)
        let shifted = try await finding(DoseConsistencyCheck.id, in: .doseMisregistration)
        XCTAssertEqual(try number(shifted, "centroidOffsetMM"), (10.0 * 10 + 20 * 20).squareRoot(), accuracy: 1.5)
        XCTAssertGreaterThan(try number(shifted, "recentredDice"), 0.8, "the same plan, moved")
    }

    func testPlanTypeNamesTheSourcesThatDisagree() async throws {
        let plan = try await finding(PlanTypeCheck.id, in: .planTypeMislabel)
        XCTAssertEqual(plan.measured["masks"], "sib_3level")
        XCTAssertEqual(plan.measured["metadata"], "single_rx")
        XCTAssertEqual(plan.measured["constraints"], "single_rx")
        XCTAssertTrue(plan.message.contains("metadata.case_type") && plan.message.contains("constraints"), plan.message)
        XCTAssertFalse(plan.message.contains("-only region"), "the dose agrees with the masks: \(plan.message)")
        XCTAssertEqual(try number(plan, "ptv56RegionMedian"), 0.8, accuracy: 0.08)
    }

    func testNormalizationReportsTheRxAndItsSource() async throws {
        let normalization = try await finding(DoseNormalizationCheck.id, in: .rxNormalization)
        XCTAssertEqual(try number(normalization, "normalizationDoseGy"), 74)
        XCTAssertNotNil(normalization.measured["source"])
        XCTAssertEqual(try number(normalization, "consumersReadGyAs"), 70.0 / 74, accuracy: 1e-3)
    }

    func testSDFFindingsSayWhichStructureAndHowMuch() async throws {
        let mismatch = try await finding(SDFConsistencyCheck.id, in: .sdfMaskMismatch)
        XCTAssertEqual(mismatch.measured["structure"], "Bladder")
        XCTAssertGreaterThan(try number(mismatch, "share"), 0.01)
        let convention = try await finding(SDFConsistencyCheck.id, in: .absentSDFConvention)
        XCTAssertEqual(try number(convention, "expectedConstant"), 0, "v2.4 writes 0 for an absent structure")
    }

    func testRawPixelCTAndTruncationAndEmptyRectum() async throws {
        let ct = try await finding(CTRangeCheck.id, in: .rawPixelCT)
        XCTAssertEqual(try number(ct, "airLevel"), 0.506, accuracy: 0.02)
        let truncation = try await finding(StructuresTruncationCheck.id, in: .truncatedStructure)
        XCTAssertEqual(truncation.measured["structure"], "Bladder")
        XCTAssertEqual(truncation.severity, .warning)
        let required = try await finding(StructuresRequiredCheck.id, in: .emptyRequiredStructure)
        XCTAssertEqual(required.measured["empty"], .list(["Rectum"]))
        XCTAssertEqual(required.severity, .error)
    }
}

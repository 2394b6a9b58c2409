import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import Phantoms
import SharedCohort
import XCTest

/// Each planted defect changes exactly what it claims to (against the same case generated
/// without it) and shows the measurable sign the audit will look for.
final class PlantedDefectTests: XCTestCase {
    func testEachDefectChangesExactlyTheMembersItClaims() async throws {
        _ = try await CohortFixture.truth()
        _ = try await CohortFixture.later.truth()
        let single = PlantedDefect.allCases.filter { $0.fileCount == 1 }
        let differences = try await withThrowingTaskGroup(of: (PlantedDefect, Set<String>).self) { group in
            var pending = single[...]
            func startNext() throws {
                guard let defect = pending.popFirst() else { return }
                let entry = try CohortFixture.entry(for: defect)
                let recipe = entry.recipe
                group.addTask {
                    // A truncated file cannot be read back: compare what was generated before the cut.
                    let planted = defect == .truncatedFile
                        ? try MemberFingerprint.of(try PhantomCase.generate(recipe, size: .small))
                        : try MemberFingerprint.of(file: CohortFixture.path(entry.fileName))
                    let clean = try MemberFingerprint.of(try PhantomCase.generate(recipe.withoutDefect, size: .small))
                    return (defect, MemberFingerprint.differingKeys(planted, clean))
                }
            }
            try startNext()
            try startNext()
            var found: [PlantedDefect: Set<String>] = [:]
            while let (defect, keys) = try await group.next() {
                found[defect] = keys
                try startNext()
            }
            return found
        }
        for defect in single {
            XCTAssertEqual(differences[defect], defect.changedMembers, defect.rawValue)
        }
    }

    func testDuplicatePairsAreTheSameFileAndTheSamePatientReplanned() async throws {
        let truth = try await CohortFixture.truth()
        func pair(_ defect: PlantedDefect) throws -> [String] {
            let files = truth.cases.filter { $0.value.defects == [defect.rawValue] }.map(\.key).sorted()
            XCTAssertEqual(files.count, 2, defect.rawValue)
            return files
        }
        let exact = try pair(.exactDuplicate)
        XCTAssertEqual(FileManager.default.contents(atPath: CohortFixture.path(exact[0])),
                       FileManager.default.contents(atPath: CohortFixture.path(exact[1])))

        let near = try pair(.nearDuplicate).map { try ReadBack(CohortFixture.path($0)) }
        let surveys = try near.map { try $0.doseCase.survey().identity.arrays }
        XCTAssertNotEqual(near[0].doseCase.caseId, near[1].doseCase.caseId)
        for key in ["ct", "masks", "masks_sdf", "constraints"] { XCTAssertEqual(surveys[0][key], surveys[1][key], key) }
        XCTAssertNotEqual(surveys[0]["dose"], surveys[1]["dose"])
        let largestChange = zip(near[0].dose.elements, near[1].dose.elements).map { abs($0 - $1) }.max() ?? 0
        XCTAssertGreaterThan(largestChange, 0)
        XCTAssertLessThan(largestChange, 0.05, "a re-plan changes the dose a little (< 3.5 Gy anywhere)")
    }

    func testEachDefectShowsTheSignTheAuditLooksFor() async throws {
        _ = try await CohortFixture.truth()
        func read(_ defect: PlantedDefect) throws -> ReadBack { try ReadBack(CohortFixture.path(try CohortFixture.entry(for: defect).fileName)) }
        func open(_ defect: PlantedDefect) throws -> DoseCase { try DoseCase.open(path: CohortFixture.path(try CohortFixture.entry(for: defect).fileName)) }

        for (defect, range) in [(PlantedDefect.d95ArtifactBlatant, 44.0...46.0), (.d95ArtifactSubtle, 57.0...59.0)] {
            let artifact = try read(defect)
            let d95 = try artifact.d95Gy(StructureChannel.ptv70)
            XCTAssertTrue(range.contains(d95), "\(defect) D95 \(d95)")
            XCTAssertTrue((0.85 * 70...1.15 * 70).contains(try artifact.meanGy(StructureChannel.ptv70)), "mean stays near Rx")
            // Eroding the PTV by 2 mm (signed distance below −2 mm) recovers D95: a boundary artifact.
            let sdf = try artifact.doseCase.signedDistances().channel(named: StructureChannel.ptv70).elements
            let eroded = sdf.map { UInt8($0 < Float(-2.0 / 50) ? 1 : 0) }
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(Percentile.dose(covering: 95, sortedDoses: artifact.dosesGy(inside: eroded))), 66.5)
        }

        let swapped = try read(.femurSwap)
        XCTAssertLessThan(try swapped.centroidColumn(StructureChannel.femurLeft), try swapped.centroidColumn(StructureChannel.femurRight))

        let mislabelled = try open(.planTypeMislabel)
        XCTAssertEqual(mislabelled.storedPlanType, PlanType.singleRx.rawValue)
        XCTAssertEqual(try mislabelled.survey().impliedPlanType(channels: mislabelled.channels), .sib3Level)
        XCTAssertEqual(Array(try mislabelled.constraints()[0..<3]), [1, 0, 0])

        let renormalised = try open(.rxNormalization)
        XCTAssertEqual(renormalised.prescription.normalizationDoseGy, 74)
        XCTAssertFalse(renormalised.prescription.isNormalisedTo70Gy)

        XCTAssertEqual(try read(.nanDose).dose.elements.filter(\.isNaN).count, 27)

        let mismatched = try read(.sdfMaskMismatch)
        let bladder = try mismatched.mask(StructureChannel.bladder)
        let bladderSDF = try mismatched.doseCase.signedDistances().channel(named: StructureChannel.bladder).elements
        let disagreeing = zip(bladder, bladderSDF).filter { ($0 != 0) != ($1 < 0) }.count
        XCTAssertGreaterThan(Double(disagreeing) / Double(bladder.filter { $0 != 0 }.count), 0.01)

        let convention = try read(.absentSDFConvention)
        XCTAssertEqual(convention.doseCase.formatVersion.version, .v2_4)
        for name in [StructureChannel.ptv56, StructureChannel.ptv50_4] {
            XCTAssertFalse(try convention.mask(name).contains(1))
            XCTAssertEqual(Set(try convention.doseCase.signedDistances().channel(named: name).elements), [1])
        }

        XCTAssertFalse(try read(.emptyRequiredStructure).mask(StructureChannel.rectum).contains(1))
        XCTAssertLessThan(try read(.doseMisregistration).meanGy(StructureChannel.ptv70), 0.85 * 70)

        let raw = try open(.rawPixelCT)
        XCTAssertEqual(raw.formatVersion.version, .v2_2)
        XCTAssertGreaterThan(try raw.volume("ct").elements.min() ?? 0, 0.49, "air at 0.5: raw pixels, not HU")

        let truncated = try read(.truncatedStructure)
        let bladderMask = try truncated.mask(StructureChannel.bladder)
        let shape = truncated.masks.shape
        let onTopFace = bladderMask.indices.filter { bladderMask[$0] != 0 && $0 % shape.slices == shape.slices - 1 }.count
        XCTAssertGreaterThan(Double(onTopFace) / Double(bladderMask.filter { $0 != 0 }.count), 0.05)

        let identifying = try open(.phiMetadata).metadata
        XCTAssertEqual(identifying?["patient_name"]?.asString, "DOE^JOHN")
        XCTAssertNotNil(identifying?["birth_date"])

        let floatMasks = try open(.wrongMaskDType).archive.read("masks")
        XCTAssertEqual(floatMasks.dtype.descr, "<f4")
        XCTAssertEqual(Set(try floatMasks.elements(as: Float.self)), [0, 1])

        let mismatchedShape = try open(.shapeMismatch).archive
        XCTAssertEqual(try mismatchedShape.read("dose").shape.last, try mismatchedShape.read("ct").shape.last.map { $0 - 1 })

        XCTAssertFalse(try open(.missingKey).arrayKeys.contains("dose"))

        XCTAssertThrowsError(try open(.maliciousPickle)) { error in
            XCTAssertEqual((error as? DoseCaseError)?.code, "dose_case.unreadable_metadata", "\(error)")
            XCTAssertEqual((error as? DoseCaseError)?.cause?.code, "pickle.disallowed_global", "the unpickler refuses os.system")
        }
        XCTAssertThrowsError(try open(.truncatedFile)) {
            XCTAssertEqual(($0 as? NPZError)?.code, "npz.truncated", "\($0)")
        }
    }
}

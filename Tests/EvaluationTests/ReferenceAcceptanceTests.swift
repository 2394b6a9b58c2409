import DoseCase
import Dosimetry
import Foundation
import Phantoms
import SharedCohort
import XCTest

/// The acceptance protocols on the phantom cohort's ground truth: every clean case's reference
/// passes the current table; the references that fail are exactly the ones whose dose a planted
/// defect genuinely damages, and they fail where the damage is.
final class ReferenceAcceptanceTests: XCTestCase {
    /// Defects that change what the dose delivers to PTV70 (spec, "Known defects").
    private let damagingDefects: Set<PlantedDefect> = [.d95ArtifactBlatant, .d95ArtifactSubtle, .rxNormalization, .doseMisregistration]

    private func referenceAcceptance(of file: String, protocol table: AcceptanceProtocol) throws -> AcceptanceResult {
        let reference = try DoseCase.open(path: CohortFixture.path(file))
        let dose = try reference.volume("dose")
        let gy = try Volume(shape: dose.shape, elements: dose.elements.map { $0 * Float(70) })
        let comparison = DoseComparison(referenceGy: gy, predictionGy: gy, masks: try reference.masks(),
                                        voxelVolumeCC: reference.spacing.voxelVolumeCC)
        return table.check { comparison.structure($0)?.metrics[$1]?.reference }
    }

    func testCleanReferencesPassAndDamagedOnesFailWhereTheDamageIs() async throws {
        _ = try await CohortFixture.truth()
        let current = try AcceptanceProtocol.builtIn(named: "current"), older = try AcceptanceProtocol.builtIn(named: "published-v2.3")
        for entry in CohortFixture.cleanEntries {
            let result = try referenceAcceptance(of: entry.fileName, protocol: current)
            XCTAssertTrue(result.passed, "\(entry.fileName): \(result.violations.map(\.constraint))")
            XCTAssertEqual(result.compliancePercent, 100)
            XCTAssertTrue(try referenceAcceptance(of: entry.fileName, protocol: older).passed, entry.fileName)
        }
        var failing: Set<PlantedDefect> = []
        for entry in CohortFixture.plan.entries {
            guard let defect = entry.recipe.defect, defect != .nanDose,
                  let result = try? referenceAcceptance(of: entry.fileName, protocol: current) else { continue }
            if !result.passed {
                failing.insert(defect)
                XCTAssertTrue(result.violations.map(\.constraint).contains("PTV70 V100 >= 95 %"), "\(defect): \(result.violations.map(\.constraint))")
            }
        }
        XCTAssertEqual(failing, damagingDefects)
        // The older table caught the D95 artifact by D95 itself.
        for defect in [PlantedDefect.d95ArtifactBlatant, .d95ArtifactSubtle] {
            let result = try referenceAcceptance(of: try CohortFixture.entry(for: defect).fileName, protocol: older)
            XCTAssertTrue(result.violations.map(\.constraint).contains("PTV70 D95 >= 66.5 Gy"), "\(defect): \(result.violations.map(\.constraint))")
        }
    }
}

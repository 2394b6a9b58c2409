import Audit
import DoseCase

/// One case's facts as the audit gathered them (`CaseFacts.read`, the audit's own pass), with
/// what every check's evidence takes from them: the thresholds the audit ran with, the grid, and
/// the volumes wrapped without copying.
struct EvidenceContext {
    let facts: CaseFacts
    let grid: VolumeShape
    let policy: EffectivePolicy?

    var spacingMM: [Double] { facts.spacing.millimetres }

    /// The thresholds the audit ran `definition` with.
    func thresholds(_ definition: CheckDefinition) -> CheckThresholds {
        policy?.thresholds(for: definition) ?? CheckThresholds(definition.thresholds)
    }

    /// Volumes share the facts' storage (arrays are copied on write only; nothing here writes).
    var ct: Volume<Float>? { facts.ct.flatMap { try? Volume(shape: grid, elements: $0) } }
    var storedDose: Volume<Float>? { facts.dose.flatMap { try? Volume(shape: grid, elements: $0) } }

    /// A centroid (continuous voxel indices) rounded to the voxel the planes pass through.
    func voxel(near position: [Double]) -> VoxelIndex {
        let clamped = zip(position, grid.dimensions).map { min(max(Int($0.rounded()), 0), $1 - 1) }
        return VoxelIndex(row: clamped[0], column: clamped[1], slice: clamped[2])
    }

    /// A position in mm from the grid's first voxel centre, for captions.
    func millimetres(_ position: [Double]) -> String {
        zip(position, spacingMM).map { MarkupNumber.format($0 * $1, decimals: 1) }.joined(separator: ", ")
    }
}

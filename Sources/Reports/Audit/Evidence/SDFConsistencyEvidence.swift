import Audit
import DoseCase

/// `sdf.consistency` (a structure whose `sdf < 0` disagrees with its mask): the SDF's zero level
/// over the mask's contour, on the axial slice where they disagree most and the planes through
/// it. The absent-structure and value-range findings have no picture: a constant is not a shape.
enum SDFConsistencyEvidence {
    static let check = SDFConsistencyCheck.id

    static func signedDistancesNeeded(for finding: AuditFinding) -> Set<String> {
        guard finding.measured["disagreeingVoxels"] != nil, let name = finding.text("structure") else { return [] }
        return [name]
    }

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let grid = context.grid
        guard finding.measured["disagreeingVoxels"] != nil, let name = finding.text("structure"),
              let structure = context.facts.structures[name], let sdf = context.facts.signedDistances[name],
              sdf.count == grid.voxelCount else { return nil }
        // Where `sdf < 0` and the mask disagree (the check's definition), counted per slice and
        // summed by position, to put the planes through the worst of it.
        var perSlice = [Int](repeating: 0, count: grid.slices)
        var rowSum = 0.0, columnSum = 0.0, total = 0
        structure.withMask { mask in
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let base = grid.offset(row: row, column: column, slice: 0)
                    for slice in 0..<grid.slices where (sdf[base + slice] < 0) != (mask[base + slice] != 0) {
                        perSlice[slice] += 1
                        rowSum += Double(row)
                        columnSum += Double(column)
                        total += 1
                    }
                }
            }
        }
        guard total > 0, let worst = perSlice.indices.max(by: { perSlice[$0] < perSlice[$1] }) else { return nil }
        let voxel = context.voxel(near: [rowSum / Double(total), columnSum / Double(total), Double(worst)])
        let slices = EvidenceSlices(
            context: context, title: "\(name): mask contour and the SDF's zero level", planes: SlicePlane.allCases, voxel: voxel,
            outlines: [.structure("\(name) mask", structure, colour: EvidenceColours.red),
                       .negative("\(name) sdf < 0", sdf, colour: EvidenceColours.cyan)],
            drawn: "Mask outline red, SDF zero level (sdf < 0) cyan; they should coincide. Axial slice \(worst) holds \(perSlice[worst]) of the \(total) disagreeing voxels.")
        return EvidenceDrawing(
            title: "\(finding.check): \(name) SDF against its mask",
            caption: "The structure's mask (red) and the region where its signed distance is negative (cyan) on the slice where they disagree most: \(total) voxels disagree in all. A shifted or mislabelled SDF teaches a model a different organ than the mask it is scored on.",
            image: try slices.figure(), charts: [],
            data: [("data-structure", name), ("data-disagreeing-voxels", "\(total)"), ("data-worst-slice", "\(worst)")])
    }
}

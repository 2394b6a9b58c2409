import Audit
import DoseCase
import Dosimetry

/// `structures.truncation`: the plane at the volume's face where the structure is cut (the face
/// the check found: `StructuresTruncationCheck.cutFace`), and the perpendicular planes through
/// its centroid, where it runs into the edge of the volume.
enum TruncationEvidence {
    static let check = StructuresTruncationCheck.id

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        let limits = context.thresholds(StructuresTruncationCheck().definition)
        guard let name = finding.text("structure"), let structure = facts.structures[name], let centroid = structure.geometry.centroidVoxel,
              let face = StructuresTruncationCheck.cutFace(structure.geometry, faceShareLimit: limits["faceShareLimit"]) else { return nil }
        // Faces come in pairs per axis (first, last): rows, columns, slices.
        let axis = face / 2
        let edge = face % 2 == 0 ? 0 : context.grid.dimensions[axis] - 1
        var through = context.voxel(near: centroid)
        switch axis {
        case 0: through = VoxelIndex(row: edge, column: through.column, slice: through.slice)
        case 1: through = VoxelIndex(row: through.row, column: edge, slice: through.slice)
        default: through = VoxelIndex(row: through.row, column: through.column, slice: edge)
        }
        let edgePlane: SlicePlane = [.coronal, .sagittal, .axial][axis]
        let faceName = StructureGeometry.faceNames[face]
        let onFace = structure.geometry.faceContacts[face]
        let slices = EvidenceSlices(
            context: context, title: "\(name) cut by the crop at the \(faceName) face",
            planes: [edgePlane] + SlicePlane.allCases.filter { $0 != edgePlane }, voxel: through,
            outlines: [.structure(name, structure, colour: EvidenceColours.red)],
            drawn: "The \(edgePlane.rawValue) panel is the volume's \(faceName) face itself; \(name) (red) still has \(onFace) voxels there.",
            titles: [edgePlane: "\(edgePlane.title) — the \(faceName) face itself"])
        return EvidenceDrawing(
            title: "\(finding.check): \(name) at the \(faceName) face",
            caption: "\(name) outlined in red on the volume's \(faceName) face (first panel) and on the planes through it: \(onFace) of its \(structure.geometry.voxels) voxels (\(MarkupNumber.format(100 * Double(onFace) / Double(max(structure.geometry.voxels, 1)), decimals: 1)) %) lie on that face, so the crop cut it and its DVH describes only part of the organ.",
            image: try slices.figure(), charts: [],
            data: [("data-structure", name), ("data-face", faceName), ("data-voxels-on-face", "\(onFace)"), ("data-edge-index", "\(edge)")])
    }
}

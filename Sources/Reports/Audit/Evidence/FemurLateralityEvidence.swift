import Audit
import DoseCase
import Dosimetry

/// `labels.femur_laterality`: coronal and axial slices through the femurs with Femur_L, Femur_R
/// and the structure between them outlined and their centroids marked — the centroids the check
/// compared (`StructureGeometry.centroidVoxel` of the case's facts), so a swap shows as Femur_L
/// on the image's left, which is the patient's right.
enum FemurLateralityEvidence {
    static let check = FemurLateralityCheck.id

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        guard let left = facts.structures[StructureChannel.femurLeft], let right = facts.structures[StructureChannel.femurRight],
              let leftCentroid = left.geometry.centroidVoxel, let rightCentroid = right.geometry.centroidVoxel else { return nil }
        let middleName = FemurLateralityCheck.middleStructure(facts)
        let middle = facts.structures[middleName].flatMap { structure in structure.geometry.centroidVoxel.map { (structure, $0) } }
        // Between the femurs in row and slice, at the middle structure's column: both heads cut.
        let through = [(leftCentroid[0] + rightCentroid[0]) / 2, middle?.1[1] ?? (leftCentroid[1] + rightCentroid[1]) / 2,
                       (leftCentroid[2] + rightCentroid[2]) / 2]
        var outlines = [EvidenceOutline.structure(StructureChannel.femurLeft, left, colour: EvidenceColours.skyBlue),
                        EvidenceOutline.structure(StructureChannel.femurRight, right, colour: EvidenceColours.orange)]
        var points = [EvidencePoint(label: "Femur_L", colour: EvidenceColours.skyBlue, voxel: leftCentroid),
                      EvidencePoint(label: "Femur_R", colour: EvidenceColours.orange, voxel: rightCentroid)]
        if let (structure, centroid) = middle {
            outlines.append(.structure(middleName, structure, colour: EvidenceColours.red))
            points.append(EvidencePoint(label: middleName, colour: EvidenceColours.red, voxel: centroid))
        }
        let columnMM = facts.spacing.xMM
        let sideText = leftCentroid[1] > rightCentroid[1] ? "Femur_L is on the patient's left (image right), as it should be"
            : "Femur_L is on the patient's RIGHT (image left): labels swapped, or the case mirrored left–right"
        let slices = EvidenceSlices(
            context: context, title: "Femur laterality: Femur_L and Femur_R with their centroids", planes: [.coronal, .axial],
            voxel: context.voxel(near: through), outlines: outlines, points: points,
            drawn: "Femur_L sky blue, Femur_R orange, \(middleName) red; rings mark each centroid (column: Femur_L \(MarkupNumber.format(leftCentroid[1], decimals: 1)), Femur_R \(MarkupNumber.format(rightCentroid[1], decimals: 1))).")
        return EvidenceDrawing(
            title: "\(finding.check): which femur is on the patient's left",
            caption: "Coronal and axial slices through both femoral heads, radiological view: the patient's left is on the image's right (letter L). \(sideText); L − R = \(MarkupNumber.format((leftCentroid[1] - rightCentroid[1]) * columnMM, decimals: 1)) mm along the left–right axis. The pelvis alone cannot tell swapped labels from a mirrored case.",
            image: try slices.figure(), charts: [],
            data: [("data-left-minus-right-mm", ChartMarks.exact((leftCentroid[1] - rightCentroid[1]) * columnMM))])
    }
}

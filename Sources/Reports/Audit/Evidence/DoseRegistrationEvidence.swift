import Audit
import DoseCase
import Dosimetry

/// `dose.registration`: the dose's 10 % isodose over the CT and the body outline, with the PTVs
/// (the region the check takes its means in: `DoseRegistrationCheck.targetUnion`) and the
/// high-dose region (≥ 95 % of 70 Gy) outlined, and the centroids of both marked (rings): a dose shifted
/// against its CT shows as the high dose beside the targets and the 10 % line leaving the body.
enum DoseRegistrationEvidence {
    static let check = DoseRegistrationCheck.id
    /// The low isodose, as a share of the maximum dose: the dose's extent, which should lie inside the body.
    static let lowIsodoseShare: Float = 0.1
    /// The high isodose in Gy: 95 % of the 70 Gy level, where PTV70 should be covered.
    static let highIsodoseGy = 66.5

    static func drawing(of finding: AuditFinding, in context: EvidenceContext) throws -> EvidenceDrawing? {
        let facts = context.facts
        guard let dose = facts.dose, let storedDose = context.storedDose, let union = DoseRegistrationCheck.targetUnion(facts),
              let maximum = facts.arrays["dose"]?.values.maximum, maximum > 0,
              let targetCentroid = StructureGeometry(mask: union, shape: context.grid).centroidVoxel else { return nil }
        let (inside, outside) = DoseRegistrationCheck.meanStoredDose(dose, inside: union)
        let highLevel = Float(highIsodoseGy / facts.doseScaleGy)
        let highDose = dose.map { $0 >= highLevel ? UInt8(1) : 0 }
        let highCentroid = StructureGeometry(mask: highDose, shape: context.grid).centroidVoxel
        var outlines = [EvidenceOutline.mask("PTVs (union)", union, colour: EvidenceColours.red),
                        EvidenceOutline.mask("≥ \(MarkupNumber.format(highIsodoseGy)) Gy", highDose, colour: EvidenceColours.white),
                        EvidenceOutline.level("10 % isodose", storedDose, atLeast: Float(maximum) * lowIsodoseShare, colour: EvidenceColours.cyan)]
        if let ct = context.ct {
            outlines.insert(.level("body (CT above −400 HU)", ct, atLeast: CTTissue.airBelow, colour: EvidenceColours.yellow), at: 0)
        }
        var points = [EvidencePoint(label: "PTVs", colour: EvidenceColours.red, voxel: targetCentroid)]
        var offsetText = "no voxel reaches \(MarkupNumber.format(highIsodoseGy)) Gy"
        var data = [("data-mean-inside-ptvs", ChartMarks.exact(inside)), ("data-mean-outside-ptvs", ChartMarks.exact(outside))]
        if let highCentroid {
            points.append(EvidencePoint(label: "≥ \(MarkupNumber.format(highIsodoseGy)) Gy", colour: EvidenceColours.white, voxel: highCentroid))
            // Patient directions of the offset: row ↑ posterior, column ↑ left, slice ↑ superior (spec, "Keys").
            let offsetMM = zip(zip(highCentroid, targetCentroid).map { $0 - $1 }, context.spacingMM).map { $0 * $1 }
            offsetText = "the ≥ \(MarkupNumber.format(highIsodoseGy)) Gy region's centroid lies "
                + [(offsetMM[1], "left", "right"), (offsetMM[0], "posterior", "anterior"), (offsetMM[2], "superior", "inferior")]
                .map { value, positive, negative in "\(MarkupNumber.format(abs(value), decimals: 1)) mm \(value >= 0 ? positive : negative)" }
                .joined(separator: ", ") + " of the PTVs' centroid"
            data += [("data-offset-row-mm", ChartMarks.exact(offsetMM[0])), ("data-offset-column-mm", ChartMarks.exact(offsetMM[1])),
                     ("data-offset-slice-mm", ChartMarks.exact(offsetMM[2]))]
        }
        let slices = EvidenceSlices(
            context: context, title: "Dose registration: isodoses over the CT, body and PTVs", planes: SlicePlane.allCases,
            voxel: context.voxel(near: targetCentroid), outlines: outlines, points: points,
            drawn: "Body yellow, PTVs red, ≥ \(MarkupNumber.format(highIsodoseGy)) Gy white, 10 % of the maximum dose cyan; \(offsetText).")
        return EvidenceDrawing(
            title: "\(finding.check): does the dose lie on the anatomy?",
            caption: "Isodose lines over the CT through the PTVs' centroid: the 10 % isodose (cyan) should stay inside the body (yellow) and the high dose (white) should cover the PTVs (red). Mean stored dose inside the PTVs \(MarkupNumber.format(inside, decimals: 3)), outside \(MarkupNumber.format(outside, decimals: 3)); \(offsetText).",
            image: try slices.figure(), charts: [], data: data)
    }
}

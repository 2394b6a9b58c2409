import DoseCase

/// `labels.femur_laterality`: Femur_L is the patient's left femur, at larger column indices
/// (spec, "Structure channels": column increasing = patient left), with the prostate between the
/// two. A swapped pair trains a model on mirrored labels (spec, "Known defects").
public struct FemurLateralityCheck: CaseCheck {
    public static let id = "labels.femur_laterality"
    public static let volumeRatioRange: ClosedRange<Double> = 0.5...2
    /// Bone: above 150 HU, i.e. 150 / 4000 + 0.5 in CT units.
    public static let boneAbove: Float = 0.5375
    /// A femur with less than this share of bone voxels is "mostly not bone".
    public static let minimumBoneShare = 0.5

    public let definition = CheckDefinition(
        id: id, purpose: "Femur_L at larger columns (patient left) than Femur_R, the prostate between them",
        severityRule: "error when Femur_L is not at a larger column than Femur_R or the prostate (else PTV70) is not between them; warning for overlap, an L/R volume ratio outside 0.5–2, or a femur mostly not bone",
        arraysRead: ["masks", "ct", "dose"],
        measures: ["leftMinusRightMM", "femurLMeanGy", "femurRMeanGy", "volumeRatio", "overlapVoxels", "boneShareL", "boneShareR"],
        thresholds: ["volumeRatioLow": volumeRatioRange.lowerBound, "volumeRatioHigh": volumeRatioRange.upperBound,
                     "boneAboveCT": Double(boneAbove), "minimumBoneShare": minimumBoneShare])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let left = facts.structures[StructureChannel.femurLeft], let right = facts.structures[StructureChannel.femurRight],
              let leftColumn = left.geometry.centroidVoxel?[1], let rightColumn = right.geometry.centroidVoxel?[1] else { return [] }
        let columnMM = facts.spacing.xMM
        var measured: [String: Measured] = ["leftMinusRightMM": .number(rounded((leftColumn - rightColumn) * columnMM))]
        if let mean = left.dose?.meanGy { measured["femurLMeanGy"] = .number(rounded(mean)) }
        if let mean = right.dose?.meanGy { measured["femurRMeanGy"] = .number(rounded(mean)) }
        let doseText = [left.dose?.meanGy, right.dose?.meanGy].contains(nil) ? ""
            : "; mean dose L \(text(left.dose?.meanGy ?? 0)) Gy, R \(text(right.dose?.meanGy ?? 0)) Gy"
        var findings: [AuditFinding] = []
        var errors: [String] = []
        if leftColumn <= rightColumn {
            errors.append("Femur_L centroid (column \(text(leftColumn))) is not to the patient's left of Femur_R (column \(text(rightColumn))): the labels look swapped, or the whole case is mirrored left–right (the pelvis alone cannot tell the two apart)")
        }
        let middleName = Self.middleStructure(facts)
        if let middle = facts.structures[middleName]?.geometry.centroidVoxel?[1],
           !(min(leftColumn, rightColumn)...max(leftColumn, rightColumn)).contains(middle) {
            errors.append("the \(middleName) centroid (column \(text(middle))) is not between the femurs")
        }
        if !errors.isEmpty {
            findings.append(finding(.error, errors.joined(separator: "; ") + " (L − R \(text((leftColumn - rightColumn) * columnMM)) mm\(doseText))", measured))
        }
        var warnings: [String] = []
        let overlap = left.withMask { l in right.withMask { r in (0..<min(l.count, r.count)).reduce(0) { $0 + (l[$1] != 0 && r[$1] != 0 ? 1 : 0) } } }
        measured["overlapVoxels"] = .integer(overlap)
        if overlap > 0 { warnings.append("the femurs overlap in \(overlap) voxels") }
        let ratio = Double(left.geometry.voxels) / Double(max(right.geometry.voxels, 1))
        measured["volumeRatio"] = .number(rounded(ratio))
        if !(ratio >= limits["volumeRatioLow"] && ratio <= limits["volumeRatioHigh"]) {
            warnings.append("L/R volume ratio \(text(ratio, 2)) is outside \(limits["volumeRatioLow"])–\(limits["volumeRatioHigh"])")
        }
        if let ct = facts.ct {
            for (name, femur) in [("L", left), ("R", right)] {
                let share = femur.withMask { Self.boneShare(ct: ct, mask: $0, boneAbove: Float(limits["boneAboveCT"])) }
                measured["boneShare\(name)"] = .number(rounded(share))
                if share < limits["minimumBoneShare"] { warnings.append("Femur_\(name) is mostly not bone (\(text(share * 100)) % above 150 HU)") }
            }
        }
        if !warnings.isEmpty { findings.append(finding(.warning, warnings.joined(separator: "; ") + doseText, measured)) }
        return findings
    }

    /// The structure that must lie between the femurs: the prostate, else PTV70 (which holds it).
    public static func middleStructure(_ facts: CaseFacts) -> String {
        facts.structures[StructureChannel.prostate]?.isEmpty ?? true ? StructureChannel.ptv70 : StructureChannel.prostate
    }

    static func boneShare(ct: [Float], mask: UnsafeBufferPointer<UInt8>, boneAbove: Float) -> Double {
        var bone = 0, total = 0
        for index in 0..<min(ct.count, mask.count) where mask[index] != 0 {
            total += 1
            bone += ct[index] > boneAbove ? 1 : 0
        }
        return total == 0 ? 0 : Double(bone) / Double(total)
    }
}

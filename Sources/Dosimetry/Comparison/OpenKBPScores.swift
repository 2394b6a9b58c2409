import DoseCase

/// OpenKBP's dose and DVH scores, for users who report those (spec, dosimetry.md, "OpenKBP-compatible
/// extras"). OpenKBP uses NumPy's default linear percentile: targets (the PTVs) D99, D95, D1;
/// organs at risk D0.1cc and Dmean. Our cases carry no possible-dose mask, so the dose score is
/// the MAE over the body (reference > 0.7 Gy).
public struct OpenKBPScores: Sendable, Hashable, Codable {
    public let doseScoreGy: Double?
    /// Mean |error| over every OpenKBP DVH point of every present structure.
    public let dvhScoreGy: Double?

    public static let organsAtRisk: Set<String> = [
        StructureChannel.rectum, StructureChannel.bladder, StructureChannel.femurLeft, StructureChannel.femurRight, StructureChannel.bowel,
    ]

    public init(comparison: DoseComparison) {
        doseScoreGy = comparison.mae.bodyGy
        var errors: [Double] = []
        for structure in comparison.structures {
            errors += structure.openKBP.values.map { abs($0.error) }
            if Self.organsAtRisk.contains(structure.name), let mean = structure.metrics[.meanDose] { errors.append(abs(mean.error)) }
        }
        dvhScoreGy = errors.isEmpty ? nil : errors.reduce(0, +) / Double(errors.count)
    }

    /// The percentiles (NumPy `q`) of each OpenKBP point of `structure`, keyed by point name.
    static func percentiles(structure: String, voxels: Int, voxelVolumeCC: Double) -> [String: Double] {
        guard voxels > 0 else { return [:] }
        if DVHMetric.ptvPrescriptionGy[structure] != nil { return ["D99": 1, "D95": 5, "D1": 99] }
        guard organsAtRisk.contains(structure) else { return [:] }
        // 0.1 cc in voxels, at least one: OpenKBP's `max(1, round(100 / voxel_mm3))` (round half to even).
        let voxelsIn0_1cc = max(1, (100 / (voxelVolumeCC * 1000)).rounded(.toNearestOrEven))
        return ["D0.1cc": max(0, 100 - 100 * voxelsIn0_1cc / Double(voxels))]
    }
}

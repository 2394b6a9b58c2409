/// What a prediction is once the network has run, as `predict` writes it and validation scores
/// it: clamped to `clampRange`, and 0 in the air around the patient (`ExternalAir`).
public enum PredictedDose {
    /// Dose is never negative, and 1.5 (105 Gy) is the audit's own bound on a plausible normalised dose.
    public static let clampRange: ClosedRange<Float> = 0...1.5

    /// `output` clamped, with the voxels `externalAir` marks set to 0 (none when it is nil).
    public static func finished(_ output: [Float], externalAir: [Bool]?) -> [Float] {
        var dose = output.map { min(max($0, clampRange.lowerBound), clampRange.upperBound) }
        if let externalAir {
            for voxel in dose.indices where voxel < externalAir.count && externalAir[voxel] { dose[voxel] = 0 }
        }
        return dose
    }
}

/// Percentiles as the published numbers computed them (spec, dosimetry.md "DVH metrics"):
/// `numpy.percentile(values, q, method='lower')`, the value at sorted index
/// ⌊(q/100)·(n − 1)⌋. D95 is the 5th percentile of the dose inside a structure.
public enum Percentile {
    /// The `percent` percentile of `sortedValues` (ascending), or nil when there are none.
    public static func lower(sortedValues: [Double], percent: Double) -> Double? {
        guard !sortedValues.isEmpty else { return nil }
        // numpy forms q/100 first, then multiplies by n − 1, then floors.
        let index = Int(((percent / 100) * Double(sortedValues.count - 1)).rounded(.down))
        return sortedValues[min(max(index, 0), sortedValues.count - 1)]
    }

    /// The dose `Dx` of a structure: the dose that `x` % of its voxels receive at least, i.e. the
    /// (100 − x)th percentile.
    public static func dose(covering percentOfVolume: Double, sortedDoses: [Double]) -> Double? {
        lower(sortedValues: sortedDoses, percent: 100 - percentOfVolume)
    }
}

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

    /// `numpy.percentile(values, q)` with the default `method='linear'`: interpolation between the
    /// values at ⌊h⌋ and ⌈h⌉, h = (q/100)·(n − 1), with NumPy's `_lerp` arithmetic.
    public static func linear(sortedValues: [Double], percent: Double) -> Double? {
        guard !sortedValues.isEmpty else { return nil }
        let position = min(max((percent / 100) * Double(sortedValues.count - 1), 0), Double(sortedValues.count - 1))
        let below = Int(position.rounded(.down)), above = min(below + 1, sortedValues.count - 1)
        let fraction = position - Double(below)
        let low = sortedValues[below], high = sortedValues[above]
        let difference = high - low
        // NumPy's _lerp: a + t·(b − a), or b − (1 − t)·(b − a) when t ≥ 0.5, for monotonicity.
        return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction
    }
}

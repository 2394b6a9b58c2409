/// A box plot's numbers for one sample: quartiles by linear interpolation between order statistics
/// (NumPy's default `np.percentile`, so a physicist re-computing in Python gets the same box) and
/// Tukey's whiskers at the most extreme values within 1.5 IQR of the box.
public struct BoxPlotSummary: Sendable, Equatable {
    public let count: Int
    public let lowerQuartile: Double
    public let median: Double
    public let upperQuartile: Double
    public let lowerWhisker: Double
    public let upperWhisker: Double

    /// nil when no value is a finite number.
    public init?(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard let first = sorted.first, let last = sorted.last else { return nil }
        count = sorted.count
        let (q1, q3) = (BoxPlotSummary.percentile(sorted, 25), BoxPlotSummary.percentile(sorted, 75))
        (lowerQuartile, upperQuartile) = (q1, q3)
        median = BoxPlotSummary.percentile(sorted, 50)
        let reach = 1.5 * (q3 - q1)
        lowerWhisker = sorted.first { $0 >= q1 - reach } ?? first
        upperWhisker = sorted.last { $0 <= q3 + reach } ?? last
    }

    /// The `percent`-th percentile of ascending `sorted` (not empty), as NumPy's `method="linear"`:
    /// position (n − 1)·p, and NumPy's two-sided lerp, which interpolates from the nearer neighbour
    /// so the result matches its bits.
    public static func percentile(_ sorted: [Double], _ percent: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? .nan }
        // NumPy divides by 100 first; multiplying first can round differently.
        let position = Double(sorted.count - 1) * (min(100, max(0, percent)) / 100)
        let below = min(Int(position.rounded(.down)), sorted.count - 2)
        let fraction = position - Double(below)
        let (low, high) = (sorted[below], sorted[below + 1])
        let difference = high - low
        return fraction >= 0.5 ? high - difference * (1 - fraction) : low + difference * fraction
    }
}

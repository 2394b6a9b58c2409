/// Counts of values in equal bins over a range, for percentiles of large volumes without sorting.
public struct ValueHistogram: Sendable {
    public let lower: Double, width: Double
    public private(set) var counts: [Int]
    /// Finite values counted (non-finite ones are left out).
    public private(set) var total = 0

    public init(_ values: [Float], range: ClosedRange<Double>, bins: Int) {
        let lower = range.lowerBound, width = (range.upperBound - range.lowerBound) / Double(bins)
        self.lower = lower
        self.width = width
        // Four interleaved sub-histograms: runs of equal values (air, water) would otherwise
        // chain every increment on the one before it. This runs over every CT voxel.
        var lanes = [Int](repeating: 0, count: 4 * bins)
        var finite = 0
        let reciprocal = 1 / width
        lanes.withUnsafeMutableBufferPointer { lanes in
            for (index, value) in values.enumerated() where value.isFinite {
                // Clamp before converting: a huge finite value from a file must not overflow Int.
                let position = min(max((Double(value) - lower) * reciprocal, 0), Double(bins - 1))
                lanes[4 * Int(position) + (index & 3)] += 1
                finite += 1
            }
        }
        counts = (0..<bins).map { lanes[4 * $0] + lanes[4 * $0 + 1] + lanes[4 * $0 + 2] + lanes[4 * $0 + 3] }
        total = finite
    }

    /// The centre of the bin holding the `percent` percentile.
    public func percentile(_ percent: Double) -> Double {
        guard total > 0 else { return .nan }
        let target = Int((percent / 100 * Double(total - 1)).rounded(.down))
        var seen = 0
        for (bin, count) in counts.enumerated() {
            seen += count
            if seen > target { return lower + (Double(bin) + 0.5) * width }
        }
        return lower + (Double(counts.count) - 0.5) * width
    }
}

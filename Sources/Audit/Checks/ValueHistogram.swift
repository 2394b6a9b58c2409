/// Counts of values in equal bins over a range, for percentiles of large volumes without sorting.
struct ValueHistogram {
    let lower: Double, width: Double
    var counts: [Int]
    var total = 0

    init(_ values: [Float], range: ClosedRange<Double>, bins: Int) {
        lower = range.lowerBound
        width = (range.upperBound - range.lowerBound) / Double(bins)
        counts = [Int](repeating: 0, count: bins)
        for value in values where value.isFinite {
            // Clamp before converting: a huge finite value from a file must not overflow Int.
            let position = min(max((Double(value) - lower) / width, 0), Double(bins - 1))
            counts[Int(position)] += 1
            total += 1
        }
    }

    /// The centre of the bin holding the `percent` percentile.
    func percentile(_ percent: Double) -> Double {
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

import Support

/// The 95 % percentile bootstrap confidence interval of a mean (spec, dosimetry.md "Statistics
/// across runs"): `resamples` resamples of the n values drawn with replacement, the interval
/// between the 2.5th and 97.5th percentiles (NumPy's default linear method) of their means.
///
/// Resampling indices come from `SeededGenerator(seed:, stream: 0)`, restarted for every call and
/// drawn resample by resample (`nextInt(below: n)` n times each). Two calls with the same seed and
/// the same n therefore resample the same cases, so the intervals of both sides of a paired
/// comparison and of their difference come from the same resamples, and a NumPy script replaying
/// the generator reproduces them.
public struct PercentileBootstrap: Sendable, Hashable, Codable {
    public struct Interval: Sendable, Hashable, Codable {
        public let lower: Double
        public let upper: Double
    }

    public let resamples: Int
    public let seed: UInt64
    /// 0.95 for a 95 % interval.
    public let confidence: Double

    public init(resamples: Int = 10_000, seed: UInt64, confidence: Double = 0.95) {
        self.resamples = resamples
        self.seed = seed
        self.confidence = confidence
    }

    /// The interval of the mean of `values`; nil when there are none or no resamples are asked for.
    public func meanInterval(of values: [Double]) -> Interval? {
        guard !values.isEmpty, resamples > 0 else { return nil }
        var generator = SeededGenerator(seed: seed, stream: 0)
        let count = UInt64(values.count)
        var means = [Double](repeating: 0, count: resamples)
        for resample in 0..<resamples {
            var sum = 0.0
            for _ in 0..<values.count { sum += values[Int(generator.nextInt(below: count))] }
            means[resample] = sum / Double(values.count)
        }
        means.sort()
        let tail = (1 - confidence) / 2 * 100
        guard let lower = Percentile.linear(sortedValues: means, percent: tail),
              let upper = Percentile.linear(sortedValues: means, percent: 100 - tail) else { return nil }
        return Interval(lower: lower, upper: upper)
    }
}

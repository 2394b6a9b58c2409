import DoseCase
import NumpyFormat

/// The gamma of every reference voxel (NaN where not evaluated: below the cutoff), on the grid the
/// comparison ran on. Global and region statistics both come from one map.
public struct GammaMap: Sendable {
    public let shape: VolumeShape
    public let spacingMM: [Double]
    /// 1 at full resolution; k when both grids were decimated to `x[::k, ::k, ::k]`.
    public let subsample: Int
    public let criteria: GammaCriteria
    public let values: [Float]
    /// True when the search answered only "γ ≤ 1?" (`GammaIndex.compute(passRateOnly:)`): values
    /// are a γ ≤ 1 for passing points and +∞ for failing ones, so only the pass rate means anything.
    public let passRateOnly: Bool

    /// Statistics over every evaluated voxel, or only those inside `region` (a mask on the full
    /// resolution grid; decimated like the doses when the map is subsampled).
    public func statistics(inside region: Volume<UInt8>? = nil) -> GammaStatistics {
        var inside: [Float] = []
        inside.reserveCapacity(values.count)
        if let region {
            let mask = GammaIndex.decimate(region, by: subsample)
            for (index, value) in values.enumerated() where !value.isNaN && index < mask.elements.count && mask.elements[index] != 0 {
                inside.append(value)
            }
        } else {
            inside = values.filter { !$0.isNaN }
        }
        return passRateOnly ? GammaStatistics(passRateOf: inside) : GammaStatistics(gammas: inside)
    }
}

/// Pass rate and distribution of gamma over a set of evaluated voxels (spec: pass = γ ≤ 1).
public struct GammaStatistics: Sendable, Hashable, Codable {
    /// 100 · fraction of voxels with γ ≤ 1; nil when no voxel was evaluated.
    public let passRate: Double?
    public let evaluatedVoxels: Int
    public let mean: Double?
    /// NumPy's median: the mean of the two middle values for an even count.
    public let median: Double?
    public let max: Double?

    public init(gammas: [Float]) {
        evaluatedVoxels = gammas.count
        guard !gammas.isEmpty else {
            passRate = nil; mean = nil; median = nil; max = nil
            return
        }
        let sorted = gammas.map(Double.init).sorted()
        let count = sorted.count
        let passing = sorted.count { $0 <= 1 }
        passRate = 100 * Double(passing) / Double(count)
        mean = sorted.reduce(0, +) / Double(count)
        median = count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2
        max = sorted[count - 1]
    }

    /// The pass rate alone, from a pass-rate-only map: mean, median and max are unknown (nil).
    public init(passRateOf gammas: [Float]) {
        evaluatedVoxels = gammas.count
        passRate = gammas.isEmpty ? nil : 100 * Double(gammas.count { $0 <= 1 }) / Double(gammas.count)
        mean = nil; median = nil; max = nil
    }

    private enum CodingKeys: String, CodingKey { case passRate, evaluatedVoxels, mean, median, max }

    /// Every key is written, as null when no voxel was evaluated.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passRate, forKey: .passRate)
        try container.encode(evaluatedVoxels, forKey: .evaluatedVoxels)
        try container.encode(mean, forKey: .mean)
        try container.encode(median, forKey: .median)
        try container.encode(max, forKey: .max)
    }
}

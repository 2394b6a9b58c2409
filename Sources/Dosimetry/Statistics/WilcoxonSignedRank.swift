import Foundation

/// The paired two-sided Wilcoxon signed-rank test as `scipy.stats.wilcoxon(x, y)` computes it with
/// its defaults in SciPy 1.17 (spec, dosimetry.md "Statistics across runs"): zero differences are
/// dropped (`zero_method='wilcox'`), no continuity correction, and `method='auto'`:
/// - n ≤ 50 pairs, no ties and no zeros: the exact null distribution;
/// - n ≤ 13 pairs with ties or zeros: the exact permutation distribution over all 2ⁿ sign flips
///   (SciPy's `PermutationMethod`, deterministic at that size);
/// - otherwise the normal approximation with the tie correction of the variance.
/// n counts zero differences too, as SciPy's choice does.
public struct WilcoxonSignedRank: Sendable, Equatable, Codable {
    public enum Method: String, Sendable, Codable {
        case exact
        case permutation
        case normalApproximation = "normal-approximation"
    }

    /// Pairs tested, zero differences included.
    public let pairs: Int
    public let zeroDifferences: Int
    /// Sum of the average ranks of |d| over positive differences (zeros dropped).
    public let rankSumPositive: Double
    /// min(R+, R−), SciPy's two-sided statistic.
    public let statistic: Double
    /// Nil when there is no pair, or every one of more than 13 differences is zero (SciPy: NaN).
    public let pValue: Double?
    public let method: Method?

    /// The test of `differences` (d = x − y; the two-sided p does not depend on the sign convention).
    public init(differences: [Double]) {
        pairs = differences.count
        let nonzero = differences.filter { $0 != 0 }
        zeroDifferences = pairs - nonzero.count
        let (ranks, tieSizes) = Self.averageRanks(of: nonzero.map(abs))
        rankSumPositive = zip(nonzero, ranks).reduce(0) { $0 + ($1.0 > 0 ? $1.1 : 0) }
        let total = Double(nonzero.count * (nonzero.count + 1)) / 2
        statistic = min(rankSumPositive, total - rankSumPositive)
        guard !nonzero.isEmpty else {
            // SciPy: every difference zero gives p = 1 by the permutation branch (n ≤ 13), NaN above.
            let permutes = (1...13).contains(pairs)
            pValue = permutes ? 1 : nil
            method = permutes ? .permutation : nil
            return
        }
        let hasTies = tieSizes.contains { $0 > 1 }
        if pairs > 50 {
            method = .normalApproximation
        } else if !hasTies && zeroDifferences == 0 {
            method = .exact
        } else if pairs <= 13 {
            method = .permutation
        } else {
            method = .normalApproximation
        }
        switch method {
        case .normalApproximation:
            pValue = Self.normalApproximation(rankSumPositive: rankSumPositive, count: nonzero.count, tieSizes: tieSizes)
        default:
            pValue = Self.exactTwoSided(ranks: ranks, positive: nonzero.map { $0 > 0 })
        }
    }

    /// Average ranks (1-based) of `values` and the sizes of their tie groups (SciPy's `rankdata`).
    static func averageRanks(of values: [Double]) -> (ranks: [Double], tieSizes: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var tieSizes: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            // Positions start..<end share the mean of ranks start+1 … end.
            let average = Double(start + 1 + end) / 2
            for position in start..<end { ranks[order[position]] = average }
            tieSizes.append(end - start)
            start = end
        }
        return (ranks, tieSizes)
    }

    /// 2 · min(P(R+ ≤ observed), P(R+ ≥ observed)) under the null that every sign is equally
    /// likely, by counting sign assignments. Average ranks are multiples of ½, so doubled ranks are
    /// integers and the count is exact (no tolerance needed, unlike SciPy's float comparison).
    static func exactTwoSided(ranks: [Double], positive: [Bool]) -> Double {
        let doubled = ranks.map { Int(($0 * 2).rounded()) }
        let observed = zip(doubled, positive).reduce(0) { $0 + ($1.1 ? $1.0 : 0) }
        var counts = [Double](repeating: 0, count: doubled.reduce(0, +) + 1)
        counts[0] = 1
        var reachable = 0
        for rank in doubled {
            reachable += rank
            for sum in stride(from: reachable, through: rank, by: -1) { counts[sum] += counts[sum - rank] }
        }
        // At most 2⁵⁰ assignments: every count is an integer below 2⁵³, exact in a Double.
        let assignments = counts.reduce(0, +)
        let atMost = counts[...observed].reduce(0, +), atLeast = counts[observed...].reduce(0, +)
        return min(1, 2 * min(atMost, atLeast) / assignments)
    }

    /// z = (R+ − n(n+1)/4) / σ with σ² = (n(n+1)(2n+1) − Σ(t³ − t)/2) / 24 over the nonzero
    /// differences; two-sided p = 2·Φ(−|z|).
    static func normalApproximation(rankSumPositive: Double, count: Int, tieSizes: [Int]) -> Double {
        let n = Double(count)
        let tieCorrection = tieSizes.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
        let sigma = ((n * (n + 1) * (2 * n + 1) - tieCorrection / 2) / 24).squareRoot()
        let z = (rankSumPositive - n * (n + 1) / 4) / sigma
        return erfc(abs(z) / 2.0.squareRoot())
    }
}

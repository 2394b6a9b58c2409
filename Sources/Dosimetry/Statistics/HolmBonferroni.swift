/// Holm–Bonferroni over one family of tests, with the real step-down rule (spec, dosimetry.md
/// "Statistics across runs"): sort the m p-values ascending; reject the i-th smallest while
/// p₍ᵢ₎ ≤ α / (m − i + 1) and stop at the first that is not rejected (everything after it stands,
/// however small). Adjusted p₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎), monotone, so
/// "rejected" is exactly "adjusted p ≤ α". The old code compared each p with its threshold on its
/// own, which rejects a later p after an earlier one failed.
public enum HolmBonferroni {
    public struct Decision: Sendable, Hashable, Codable {
        public let adjustedPValue: Double
        public let rejected: Bool
    }

    /// One decision per p-value, in the order given.
    public static func decisions(for pValues: [Double], alpha: Double) -> [Decision] {
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var decisions = [Decision](repeating: Decision(adjustedPValue: 1, rejected: false), count: pValues.count)
        var runningMaximum = 0.0
        var stillRejecting = true
        for (rank, index) in order.enumerated() {
            let multiplier = Double(pValues.count - rank)
            runningMaximum = max(runningMaximum, min(1, multiplier * pValues[index]))
            stillRejecting = stillRejecting && pValues[index] <= alpha / multiplier
            decisions[index] = Decision(adjustedPValue: runningMaximum, rejected: stillRejecting)
        }
        return decisions
    }
}

/// Effect size of paired measurements (spec, dosimetry.md "Statistics across runs").
public enum PairedEffectSize {
    /// Paired Cohen's d (d_z): mean of the differences over their sample standard deviation
    /// (n − 1). Nil with fewer than two pairs or when every difference is the same.
    public static func cohensD(differences: [Double]) -> Double? {
        guard differences.count > 1 else { return nil }
        let n = Double(differences.count)
        let mean = differences.reduce(0, +) / n
        let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        guard variance > 0 else { return nil }
        return mean / variance.squareRoot()
    }
}

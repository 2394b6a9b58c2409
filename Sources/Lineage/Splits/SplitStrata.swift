import Dosimetry

/// What a stratum is made of: any of plan type, institution and PTV70 volume tertile.
public struct SplitStrata: Sendable, Equatable {
    public enum Key: String, Sendable, CaseIterable {
        case planType = "plan_type"
        case institution
        case ptv70Tertile = "ptv70_tertile"
    }

    public let keys: [Key]
    /// The two PTV70 volumes (cc) between the tertiles; nil without `ptv70_tertile`.
    public let boundariesCC: [Double]?

    public init(keys: [Key], boundariesCC: [Double]?) {
        self.keys = keys
        self.boundariesCC = boundariesCC
    }

    /// `plan_type,institution,ptv70_tertile` → keys; an unknown or repeated name is refused.
    public static func parseKeys(_ text: String) throws -> [Key] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var keys: [Key] = []
        for name in names {
            guard let key = Key(rawValue: name), !keys.contains(key) else {
                throw LineageError.invalidSplitRequest(reason: "strata: '\(name)' is not one of plan_type, institution, ptv70_tertile (each once)")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw LineageError.invalidSplitRequest(reason: "the strata name no key") }
        return keys
    }

    /// The tertile boundaries of `volumes`: NumPy `percentile(v, [100/3, 200/3], method='lower')`.
    public static func tertileBoundaries(of volumes: [Double]) -> [Double]? {
        let sorted = volumes.sorted()
        guard let lower = Percentile.lower(sortedValues: sorted, percent: 100.0 / 3),
              let upper = Percentile.lower(sortedValues: sorted, percent: 200.0 / 3) else { return nil }
        return [lower, upper]
    }

    /// The stratum label of a case, e.g. `sib_2level|A|T2` (`T?` when its PTV70 volume is unknown).
    public func label(of entry: DatasetVersion.Case) -> String {
        keys.map { key in
            switch key {
            case .planType: entry.planType ?? "unknown"
            case .institution: entry.institution
            case .ptv70Tertile: tertile(entry.ptv70VolumeCC)
            }
        }.joined(separator: "|")
    }

    private func tertile(_ volume: Double?) -> String {
        guard let volume, let boundaries = boundariesCC, boundaries.count == 2 else { return "T?" }
        return volume <= boundaries[0] ? "T1" : (volume <= boundaries[1] ? "T2" : "T3")
    }

    /// How far apart two strata are, for pooling: a different plan type weighs most, then a
    /// different institution, then tertiles by how many steps apart they are.
    func distance(_ lhs: String, _ rhs: String) -> Int {
        let left = lhs.split(separator: "|", omittingEmptySubsequences: false), right = rhs.split(separator: "|", omittingEmptySubsequences: false)
        var distance = 0
        for (index, key) in keys.enumerated() where index < left.count && index < right.count && left[index] != right[index] {
            switch key {
            case .planType: distance += 8
            case .institution: distance += 4
            case .ptv70Tertile:
                let steps = Int(left[index].dropFirst()).flatMap { a in Int(right[index].dropFirst()).map { abs(a - $0) } } ?? 3
                distance += steps
            }
        }
        return distance
    }
}

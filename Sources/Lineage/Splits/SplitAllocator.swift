import Support
import DoseCase
import Foundation

/// The split algorithm (`LockedSplit.Algorithm.current`), deterministic and independent of input
/// order:
/// 1. Cases the audit groups as duplicates or near-duplicates (one patient) form one unit, so no
///    patient lands on two sides; every other case is a unit of its own.
/// 2. Each unit falls in the stratum of its first case (by id). A stratum with fewer units than
///    there are roles to fill is pooled with its nearest stratum — same plan type first, then same
///    institution, then the nearest tertile — and the record lists each pooling.
/// 3. Global role counts are the largest-remainder rounding of units × ratios; each stratum gets
///    its floors, and the remaining units go by largest remainder wherever the global count still
///    needs them, so the global ratios hold and every stratum is as close to them as rounding allows.
/// 4. Inside a stratum units are ordered by SHA-256("seed:caseHash") of their first case and take
///    test, then val, then train. Folds deal train+val units round-robin in that order across strata.
struct SplitAllocator {
    let seed: UInt64
    let ratios: LockedSplit.Ratios
    let strata: SplitStrata
    /// Case id → duplicate-group id, from the audit bound to the dataset version.
    let groups: [String: String]

    struct Unit {
        let members: [DatasetVersion.Case]
        let group: String?
        let rawStratum: String
        let orderKey: String

        var first: DatasetVersion.Case { members[0] }
    }

    func units(of cases: [DatasetVersion.Case]) -> [Unit] {
        var grouped: [String: [DatasetVersion.Case]] = [:]
        var single: [Unit] = []
        for entry in cases {
            if let group = groups[entry.caseId] {
                grouped[group, default: []].append(entry)
            } else {
                single.append(unit([entry], group: nil))
            }
        }
        let multi = grouped.map { unit($0.value.sorted { $0.caseId < $1.caseId }, group: $0.key) }
        return (single + multi).sorted { ($0.orderKey, $0.first.caseId) < ($1.orderKey, $1.first.caseId) }
    }

    private func unit(_ members: [DatasetVersion.Case], group: String?) -> Unit {
        Unit(members: members, group: group, rawStratum: strata.label(of: members[0]),
             orderKey: SHA256Hex.of(Array("\(seed):\(members[0].caseHash)".utf8)))
    }

    /// Roles the ratios give any weight, in allocation order.
    var rolesInUse: [LockedSplit.Role] { LockedSplit.Role.allocationOrder.filter { ratios.weight($0) > 0 } }

    /// Pools strata smaller than the number of roles in use into their nearest neighbour, smallest
    /// first. `fixed` pools (an extension's existing strata) are never merged away.
    func pool(_ sizes: [String: Int], fixed: Set<String> = []) -> (mapping: [String: String], poolings: [LockedSplit.Pooling]) {
        var sizes = sizes
        var mapping = Dictionary(uniqueKeysWithValues: sizes.keys.map { ($0, $0) })
        var poolings: [LockedSplit.Pooling] = []
        let minimum = max(1, rolesInUse.count)
        while true {
            let small = sizes.filter { $0.value < minimum && !fixed.contains($0.key) }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            guard let (label, count) = small.first else { break }
            let others = sizes.keys.filter { $0 != label }
            guard let target = others.min(by: { (strata.distance(label, $0), -(sizes[$0] ?? 0), $0) < (strata.distance(label, $1), -(sizes[$1] ?? 0), $1) }) else { break }
            poolings.append(LockedSplit.Pooling(stratum: label, into: target, units: count))
            sizes[target, default: 0] += count
            sizes.removeValue(forKey: label)
            for (original, pool) in mapping where pool == label { mapping[original] = target }
        }
        return (mapping, poolings)
    }

    /// Role counts per stratum for a fresh lock (step 3).
    func roleCounts(_ sizes: [String: Int]) -> [String: [LockedSplit.Role: Int]] {
        let roles = rolesInUse
        let total = sizes.values.reduce(0, +)
        let weights = roles.map { Double(ratios.weight($0)) }
        let weightSum = weights.reduce(0, +)
        let global = Self.largestRemainder(total, weights: weights)
        var remaining = Dictionary(uniqueKeysWithValues: zip(roles, global))
        var counts: [String: [LockedSplit.Role: Int]] = [:]
        var left: [String: Int] = [:]
        var fractions: [(stratum: String, role: LockedSplit.Role, fraction: Double)] = []
        for (stratum, size) in sizes.sorted(by: { $0.key < $1.key }) {
            var assigned = 0
            for (index, role) in roles.enumerated() {
                let quota = Double(size) * weights[index] / weightSum
                let floor = Int(quota.rounded(.down))
                counts[stratum, default: [:]][role] = floor
                remaining[role, default: 0] -= floor
                assigned += floor
                fractions.append((stratum, role, quota - Double(floor)))
            }
            left[stratum] = size - assigned
        }
        // Largest fraction first; ties by stratum, then in allocation order (test first).
        let ordered = fractions.sorted { lhs, rhs in
            if lhs.fraction != rhs.fraction { return lhs.fraction > rhs.fraction }
            if lhs.stratum != rhs.stratum { return lhs.stratum < rhs.stratum }
            return (roles.firstIndex(of: lhs.role) ?? 0) < (roles.firstIndex(of: rhs.role) ?? 0)
        }
        for candidate in ordered {
            guard left[candidate.stratum, default: 0] > 0, remaining[candidate.role, default: 0] > 0 else { continue }
            counts[candidate.stratum, default: [:]][candidate.role, default: 0] += 1
            left[candidate.stratum, default: 0] -= 1
            remaining[candidate.role, default: 0] -= 1
        }
        // Units the global counts could not place (a rounding corner) go where a role still needs them, else to train.
        for (stratum, count) in left.sorted(by: { $0.key < $1.key }) where count > 0 {
            for _ in 0..<count {
                let role = roles.first { remaining[$0, default: 0] > 0 } ?? roles.last ?? .train
                counts[stratum, default: [:]][role, default: 0] += 1
                remaining[role, default: 0] -= 1
            }
        }
        return counts
    }

    /// Counts for `new` units joining a stratum that already holds `existing` cases: each allowed
    /// role's deficit toward the ratios over the grown stratum, shared by largest remainder.
    func extensionCounts(existing: [LockedSplit.Role: Int], new: Int, allowTest: Bool) -> [LockedSplit.Role: Int] {
        let roles = rolesInUse.filter { allowTest || $0 != .test }
        guard new > 0, !roles.isEmpty else { return [:] }
        let weights = roles.map { Double(ratios.weight($0)) }
        let weightSum = weights.reduce(0, +)
        let base = roles.reduce(new) { $0 + existing[$1, default: 0] }
        let deficits = roles.enumerated().map { index, role in max(0, Double(base) * weights[index] / weightSum - Double(existing[role, default: 0])) }
        let shares = Self.largestRemainder(new, weights: deficits.reduce(0, +) > 0 ? deficits : weights)
        return Dictionary(uniqueKeysWithValues: zip(roles, shares))
    }

    /// `total` split in proportion to `weights`, floors first, then one more to the largest
    /// remainders (earlier index first on ties).
    static func largestRemainder(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return weights.map { _ in 0 } }
        let quotas = weights.map { Double(total) * $0 / sum }
        var counts = quotas.map { Int($0.rounded(.down)) }
        let order = quotas.indices.sorted { (quotas[$1] - Double(counts[$1]), $0) < (quotas[$0] - Double(counts[$0]), $1) }
        for index in order.prefix(total - counts.reduce(0, +)) { counts[index] += 1 }
        return counts
    }
}

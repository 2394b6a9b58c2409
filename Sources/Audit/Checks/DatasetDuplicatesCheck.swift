/// `dataset.duplicates`: the same data twice (by case hash), or the same patient twice (nearly
/// identical CT by its fingerprint). A duplicate on both sides of a split leaks the test set.
public struct DatasetDuplicatesCheck: DatasetCheck {
    public static let id = "dataset.duplicates"
    /// Mean block-wise CT difference (HU) under which two CTs are one patient. Scanner noise
    /// (σ ≈ 12 HU per voxel) averages to ≈ 0.3 HU over a block; the closest two different
    /// phantom pelvises measured 8.7 HU apart, real patients differ by far more.
    public static let nearDuplicateCTDistanceHU = 3.0

    public let definition = CheckDefinition(
        id: id, purpose: "exact duplicates (case hash) and near-duplicates (same patient: nearly identical CT)",
        severityRule: "exact: error on every copy but the first by case id (then file), warning on the first; near: warning on each",
        arraysRead: ["ct"], measures: ["group", "files", "ctDistanceHU"], crossCase: true,
        thresholds: ["nearDuplicateCTDistanceHU": nearDuplicateCTDistanceHU],
        locationFields: ["message", "measured.files"])

    public init() {}

    public func evaluate(_ cases: [CaseAudit], _ limits: CheckThresholds) -> [String: [AuditFinding]] {
        var findings: [String: [AuditFinding]] = [:]
        let order = cases.sorted { ($0.caseId ?? "", $0.file) < ($1.caseId ?? "", $1.file) }
        var exactGroups: [String: [CaseAudit]] = [:]
        for audit in order { if let hash = audit.caseHash { exactGroups[hash, default: []].append(audit) } }
        var representative: [String: String] = [:]  // file → the first file of its exact group
        for group in exactGroups.values where group.count > 1 {
            let first = group[0]
            let files = Measured.list(group.map { .text($0.file) })
            let groupName = Measured.text(String(first.caseHash?.prefix(12) ?? ""))
            findings[first.file, default: []].append(finding(
                .warning, "exact duplicate: \(group.count - 1) other file\(group.count > 2 ? "s hold" : " holds") the same data (\(group.dropFirst().map(\.file).joined(separator: ", "))); this is the copy kept",
                ["group": groupName, "files": files]))
            for copy in group.dropFirst() {
                findings[copy.file, default: []].append(finding(
                    .error, "exact duplicate of \(first.file) (case \(first.caseId ?? "?")): the same arrays and metadata",
                    ["group": groupName, "files": files]))
            }
            for member in group { representative[member.file] = first.file }
        }
        for group in nearDuplicateGroups(limitHU: limits["nearDuplicateCTDistanceHU"], order.filter { representative[$0.file, default: $0.file] == $0.file }) {
            let files = group.map(\.audit.file)
            // Named by its first case, not its first file: the group is part of the audit's identity
            // (the split keeps its members together), which must not change when the files move.
            let first = group[0].audit
            let groupName = "near-" + (first.caseHash.map { String($0.prefix(12)) } ?? first.caseId ?? first.file)
            for (index, member) in group.enumerated() {
                let others = files.enumerated().filter { $0.offset != index }.map(\.element)
                findings[member.audit.file, default: []].append(finding(
                    .warning, "near-duplicate: \(member.distanceHU == 0 ? "identical" : "nearly identical") CT to \(others.joined(separator: ", ")) (mean block difference \(Self.rounded(member.distanceHU)) HU) but different plan data: the same patient planned more than once",
                    ["group": .text(groupName), "files": .list(files.map(Measured.text)), "ctDistanceHU": .number(Self.rounded(member.distanceHU))]))
            }
        }
        return findings
    }

    /// Groups cases whose CT fingerprints lie within the threshold (linked transitively), each
    /// member with its smallest distance to another member.
    private func nearDuplicateGroups(limitHU: Double, _ cases: [CaseAudit]) -> [[(audit: CaseAudit, distanceHU: Double)]] {
        let candidates = cases.filter { $0.ctFingerprint != nil }
        var parent = Array(candidates.indices)
        func root(_ index: Int) -> Int {
            var index = index
            while parent[index] != index { index = parent[index] }
            return index
        }
        var nearest = [Double](repeating: .infinity, count: candidates.count)
        for i in candidates.indices {
            for j in candidates.indices where j > i {
                guard let a = candidates[i].ctFingerprint, let b = candidates[j].ctFingerprint,
                      let distance = a.distanceHU(to: b), distance < limitHU else { continue }
                parent[root(j)] = root(i)
                nearest[i] = min(nearest[i], distance)
                nearest[j] = min(nearest[j], distance)
            }
        }
        let grouped = Dictionary(grouping: candidates.indices.filter { nearest[$0].isFinite }, by: root)
        return grouped.values.sorted { $0[0] < $1[0] }.map { members in members.map { (candidates[$0], nearest[$0]) } }
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}

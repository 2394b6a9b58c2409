import Foundation

/// `split lock` and `split extend`: compute the split, and publish it as a record under the
/// workspace lock. A locked revision is never changed; an extension is a new revision.
public enum SplitBook {
    /// What `split lock` is asked.
    public struct LockRequest: Sendable {
        public var name: String
        /// `dsv-…` or `dsv-…@k`.
        public var dataset: String
        public var ratios: LockedSplit.Ratios
        public var strata: [SplitStrata.Key]
        public var seed: UInt64
        public var folds: Int?

        public init(name: String, dataset: String, ratios: LockedSplit.Ratios = .init(train: 80, val: 10, test: 10),
                    strata: [SplitStrata.Key] = SplitStrata.Key.allCases, seed: UInt64 = 0, folds: Int? = nil) {
            self.name = name
            self.dataset = dataset
            self.ratios = ratios
            self.strata = strata
            self.seed = seed
            self.folds = folds
        }
    }

    public enum Outcome: Sendable, Equatable {
        case written
        /// The same inputs were locked before: nothing written.
        case unchanged
    }

    public static func lock(_ request: LockRequest, in workspace: Workspace) throws -> (SplitRevision, Outcome) {
        guard SplitRevision.isName(request.name) else {
            throw LineageError.invalidSplitRequest(reason: "split name '\(request.name)' must be letters, digits, '.', '_' or '-'")
        }
        try validate(request.ratios, folds: request.folds)
        let lock = try workspace.lock(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        let dataset = try DatasetRevision.resolve(request.dataset, in: workspace)
        let cases = dataset.identity.cases
        guard !cases.isEmpty else { throw LineageError.invalidSplitRequest(reason: "\(dataset.reference) keeps no case to split") }
        let boundaries = request.strata.contains(.ptv70Tertile) ? SplitStrata.tertileBoundaries(of: cases.compactMap(\.ptv70VolumeCC)) : nil
        let strata = SplitStrata(keys: request.strata, boundariesCC: boundaries)
        let allocator = SplitAllocator(seed: request.seed, ratios: request.ratios, strata: strata,
                                       groups: try DuplicateGroups.read(for: dataset, in: workspace))

        let units = allocator.units(of: cases)
        let rawSizes = Dictionary(units.map { ($0.rawStratum, 1) }, uniquingKeysWith: +)
        let (mapping, poolings) = allocator.pool(rawSizes)
        let pools = Dictionary(grouping: units) { mapping[$0.rawStratum] ?? $0.rawStratum }
        let counts = allocator.roleCounts(pools.mapValues(\.count))
        var assignments: [LockedSplit.Assignment] = []
        var foldCounter = 0
        for (stratum, members) in pools.sorted(by: { $0.key < $1.key }) {
            var roles = LockedSplit.Role.allocationOrder.flatMap { role in Array(repeating: role, count: counts[stratum]?[role] ?? 0) }[...]
            for unit in members {  // already in hash order
                let role = roles.popFirst() ?? .train
                var fold: Int?
                if let folds = request.folds, role != .test {
                    fold = foldCounter % folds
                    foldCounter += 1
                }
                assignments += unit.members.map {
                    LockedSplit.Assignment(caseId: $0.caseId, caseHash: $0.caseHash, role: role, fold: fold, stratum: stratum, group: unit.group,
                                           revision: 1)
                }
            }
        }
        if let folds = request.folds {
            let trainVal = assignments.filter { $0.role != .test }.count
            guard folds <= trainVal else {
                throw LineageError.invalidSplitRequest(reason: "\(folds) folds are more than the \(trainVal) train and val cases: some folds would be empty")
            }
        }
        let identity = LockedSplit.Identity(
            dataset: dataset.id, parent: nil, algorithm: .current, seed: request.seed, ratios: request.ratios,
            strata: .init(keys: request.strata.map(\.rawValue), ptv70TertileBoundariesCC: boundaries, pooled: poolings),
            folds: request.folds, newCasesInTest: true, cases: assignments.sorted { $0.caseId < $1.caseId },
            summary: summary(assignments))

        if let revisions = SplitRevision.catalog(of: workspace)[request.name], let latest = revisions.last {
            let first = try SplitRevision.read(name: request.name, revision: 1, from: workspace)
            guard first.identity == identity else {
                throw LineageError.splitExists(name: request.name, reason: difference(first.identity, identity))
            }
            return (try SplitRevision.read(name: request.name, revision: latest, from: workspace), .unchanged)
        }
        let revision = try SplitRevision(name: request.name, revision: 1, split: LockedSplit(
            identity: identity, context: .init(createdAt: ISO8601DateFormatter().string(from: Date()), tool: .current,
                                               datasetRevision: dataset.reference)))
        try workspace.commit([(revision.fileName, revision.envelope.bytes)])
        return (revision, .written)
    }

    /// `split extend NAME --dataset NEWVERSION`: every earlier assignment stays; new cases are
    /// allocated per stratum toward the ratios (train/val only when `allowNewTest` is false).
    public static func extend(_ reference: String, dataset datasetReference: String, allowNewTest: Bool,
                              in workspace: Workspace) throws -> (SplitRevision, Outcome) {
        let lock = try workspace.lock(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        let name = String(reference.split(separator: "@").first ?? "")
        let current = try SplitRevision.resolve(name, in: workspace)
        if reference != name, reference != current.reference {
            throw LineageError.invalidSplitRequest(reason: "extend grows the latest revision, \(current.reference), not \(reference)")
        }
        let old = current.identity
        let dataset = try DatasetRevision.resolve(datasetReference, in: workspace)
        if dataset.id == old.dataset { return (current, .unchanged) }

        let newById = Dictionary(dataset.identity.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        var differences: [String] = []
        for assignment in old.cases {
            guard let now = newById[assignment.caseId] else { differences.append("\(assignment.caseId) is missing"); continue }
            if now.caseHash != assignment.caseHash {
                differences.append("\(assignment.caseId) has case hash \(now.caseHash.prefix(12))…, the split \(assignment.caseHash.prefix(12))…")
            }
        }
        guard differences.isEmpty else { throw LineageError.splitCannotExtend(name: name, dataset: dataset.reference, differences: differences) }

        let keys = old.strata.keys.compactMap(SplitStrata.Key.init(rawValue:))
        guard keys.count == old.strata.keys.count else {
            throw LineageError.invalidRecord(path: workspace.file(current.fileName), reason: "unknown strata keys \(old.strata.keys)")
        }
        let strata = SplitStrata(keys: keys, boundariesCC: old.strata.ptv70TertileBoundariesCC)
        let groups = try DuplicateGroups.read(for: dataset, in: workspace)
        let allocator = SplitAllocator(seed: old.seed, ratios: old.ratios, strata: strata, groups: groups)
        let assigned = Dictionary(old.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        let fresh = dataset.identity.cases.filter { assigned[$0.caseId] == nil }
        let revisionNumber = current.revision + 1
        var assignments = old.cases
        var poolings = old.strata.pooled

        // A new case that is one patient with an assigned case takes that case's place.
        var units: [SplitAllocator.Unit] = []
        for unit in allocator.units(of: fresh) {
            let mate = groups[unit.first.caseId].flatMap { group in old.cases.first { groups[$0.caseId] == group } }
            if let mate {
                assignments += unit.members.map {
                    .init(caseId: $0.caseId, caseHash: $0.caseHash, role: mate.role, fold: mate.fold, stratum: mate.stratum, group: unit.group,
                          revision: revisionNumber)
                }
            } else {
                units.append(unit)
            }
        }

        // Strata: the lock's poolings still apply; a new stratum too small to split joins its nearest.
        let existingPools = Set(old.cases.map(\.stratum))
        func pooled(_ label: String) -> String {
            var label = label
            var seen: Set<String> = []
            while let next = poolings.first(where: { $0.stratum == label })?.into, seen.insert(label).inserted { label = next }
            return label
        }
        var newSizes: [String: Int] = [:]
        for unit in units { newSizes[pooled(unit.rawStratum), default: 0] += 1 }
        var sizes = newSizes
        for pool in existingPools { sizes[pool, default: 0] += old.cases.count { $0.stratum == pool } }
        let (mapping, added) = allocator.pool(sizes, fixed: existingPools)
        poolings += added
        let pools = Dictionary(grouping: units) { mapping[pooled($0.rawStratum)] ?? pooled($0.rawStratum) }

        var foldSizes = [Int](repeating: 0, count: old.folds ?? 0)
        for assignment in assignments { if let fold = assignment.fold, foldSizes.indices.contains(fold) { foldSizes[fold] += 1 } }
        for (stratum, members) in pools.sorted(by: { $0.key < $1.key }) {
            var existing: [LockedSplit.Role: Int] = [:]
            for assignment in assignments where assignment.stratum == stratum { existing[assignment.role, default: 0] += 1 }
            let counts = allocator.extensionCounts(existing: existing, new: members.count, allowTest: allowNewTest)
            var roles = LockedSplit.Role.allocationOrder.flatMap { role in Array(repeating: role, count: counts[role] ?? 0) }[...]
            for unit in members {
                let role = roles.popFirst() ?? .train
                var fold: Int?
                if role != .test, let smallest = foldSizes.indices.min(by: { (foldSizes[$0], $0) < (foldSizes[$1], $1) }) {
                    fold = smallest
                    foldSizes[smallest] += unit.members.count
                }
                assignments += unit.members.map {
                    .init(caseId: $0.caseId, caseHash: $0.caseHash, role: role, fold: fold, stratum: stratum, group: unit.group,
                          revision: revisionNumber)
                }
            }
        }
        let identity = LockedSplit.Identity(
            dataset: dataset.id, parent: .init(revision: current.revision, hash: current.envelope.storedHash), algorithm: old.algorithm,
            seed: old.seed, ratios: old.ratios,
            strata: .init(keys: old.strata.keys, ptv70TertileBoundariesCC: old.strata.ptv70TertileBoundariesCC, pooled: poolings),
            folds: old.folds, newCasesInTest: allowNewTest, cases: assignments.sorted { $0.caseId < $1.caseId }, summary: summary(assignments))
        let revision = try SplitRevision(name: name, revision: revisionNumber, split: LockedSplit(
            identity: identity, context: .init(createdAt: ISO8601DateFormatter().string(from: Date()), tool: .current,
                                               datasetRevision: dataset.reference)))
        try workspace.commit([(revision.fileName, revision.envelope.bytes)])
        return (revision, .written)
    }

    static func summary(_ assignments: [LockedSplit.Assignment]) -> [LockedSplit.StratumCount] {
        Dictionary(grouping: assignments, by: \.stratum).map { stratum, members in
            LockedSplit.StratumCount(stratum: stratum, train: members.count { $0.role == .train }, val: members.count { $0.role == .val },
                                     test: members.count { $0.role == .test })
        }.sorted { $0.stratum < $1.stratum }
    }

    private static func validate(_ ratios: LockedSplit.Ratios, folds: Int?) throws {
        guard ratios.train >= 0, ratios.val >= 0, ratios.test >= 0, ratios.total > 0 else {
            throw LineageError.invalidSplitRequest(reason: "the ratios must be three non-negative whole numbers, not all zero (train/val/test)")
        }
        if let folds, folds < 2 { throw LineageError.invalidSplitRequest(reason: "folds must be at least 2") }
    }

    /// What differs between a locked split's inputs and a new request, for the refusal.
    private static func difference(_ locked: LockedSplit.Identity, _ asked: LockedSplit.Identity) -> String {
        var parts: [String] = []
        if locked.dataset != asked.dataset { parts.append("dataset \(locked.dataset), asked \(asked.dataset)") }
        if locked.seed != asked.seed { parts.append("seed \(locked.seed), asked \(asked.seed)") }
        if locked.ratios != asked.ratios { parts.append("ratios \(locked.ratios.text), asked \(asked.ratios.text)") }
        if locked.strata.keys != asked.strata.keys { parts.append("strata \(locked.strata.keys.joined(separator: ",")), asked \(asked.strata.keys.joined(separator: ","))") }
        if locked.folds != asked.folds { parts.append("folds \(locked.folds.map(String.init) ?? "none"), asked \(asked.folds.map(String.init) ?? "none")") }
        return parts.isEmpty ? "the assignments differ" : parts.joined(separator: "; ")
    }
}

extension LockedSplit.Ratios {
    /// `80/10/10` → train 80, val 10, test 10.
    public static func parse(_ text: String) throws -> LockedSplit.Ratios {
        let parts = text.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let train = parts[0], let val = parts[1], let test = parts[2], train >= 0, val >= 0, test >= 0, train + val + test > 0 else {
            throw LineageError.invalidSplitRequest(reason: "the ratios must be train/val/test as whole numbers, like 80/10/10; got \(text)")
        }
        return .init(train: train, val: val, test: test)
    }
}

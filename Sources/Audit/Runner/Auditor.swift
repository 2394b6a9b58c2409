import Support
import DoseCase
import Foundation
import NumpyFormat

/// How an audit runs.
public struct AuditOptions: Sendable {
    /// Cases read at once; each worker streams one case.
    public var workers: Int
    /// `.dosecurate/cache` of the workspace (audits under `audit/`, case identities under `hash/`);
    /// nil reads every case and leaves no cache behind (`--no-cache`).
    public var cacheDirectory: String?
    public var catalog: CheckCatalog
    public var policy: AuditPolicy

    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, cacheDirectory: String? = nil,
                catalog: CheckCatalog = .standard, policy: AuditPolicy = .standard) {
        self.workers = max(1, workers)
        self.cacheDirectory = cacheDirectory
        self.catalog = catalog
        self.policy = policy
    }

    /// The cache folder inside a workspace (DESIGN.md, "The workspace").
    public static func cacheDirectory(workspace: String) -> String { "\(workspace)/.dosecurate/cache" }
}

/// What reading a case for its identity gave.
public enum IdentityReading: Sendable, Equatable {
    case identified(CaseIdentity)
    case unreadable(reason: String)
}

/// One step of an audit's progress: `done` of `total` cases finished, the last being `file`.
public struct AuditProgress: Sendable {
    public let done: Int
    public let total: Int
    public let file: String
}

/// Runs an audit: resolves the inputs, reads every case not in the cache once (streaming, in
/// parallel on `workers` cores), runs the case checks on each, then the cross-case checks.
public enum Auditor {
    public static func run(paths: [String], options: AuditOptions = AuditOptions(),
                           progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async throws -> AuditReport {
        let inputs = try AuditInputs.resolve(paths)
        let catalog = options.catalog, policy = options.policy
        let effective = policy.effective(for: catalog)
        // A changed policy changes findings: its hash is part of every cache key.
        let cache = options.cacheDirectory.map {
            AuditCache(directory: "\($0)/audit", salt: "entry \(AuditCache.entryVersion) catalog \(CheckCatalog.version) policy \(effective.sha256)")
        }
        let hashes = options.cacheDirectory.map { CaseHashCache(directory: "\($0)/hash") }

        // Every case's location; an archive that cannot even be listed is one unreadable case.
        var locations = inputs.files.map(CaseLocation.file)
        var audits: [CaseAudit] = []
        var skipped = inputs.skipped
        for archive in inputs.archives {
            do {
                let listing = try DeliveryArchive(path: archive).caseMembers()
                locations += listing.cases.map { .archiveMember(archive: archive, member: $0) }
                skipped += listing.passedOver.map { SkippedInput(path: $0.name, reason: $0.reason) }
            } catch {
                audits.append(.unreadable(file: archive, reason: "\(error)"))
            }
        }
        // An audit of nothing must not read as a clean audit.
        guard !locations.isEmpty || !audits.isEmpty else { throw AuditError.noCases(paths: paths, skipped: skipped) }
        var pending: [(CaseLocation, key: String?)] = []
        for location in locations {
            let key = cache?.key(for: location)
            if let key, let cached = cache?.load(key: key, as: location.name) {
                audits.append(cached)
            } else {
                pending.append((location, key))
            }
        }
        let cacheHits = locations.count - pending.count
        let counter = ProgressCounter(total: locations.count, done: locations.count - pending.count, report: progress)
        let read = await readCases(pending, workers: options.workers, catalog: catalog, policy: policy, cache: cache, hashes: hashes,
                                   counter: counter)
        var all = audits + read
        for check in catalog.datasetChecks {
            let findings = check.evaluate(all, policy.thresholds(for: check.definition))
            for index in all.indices { if let more = findings[all[index].file] { all[index].append(more.map(policy.applied)) } }
        }
        return AuditReport(catalog: catalog, policy: effective, cases: all, cacheHits: cacheHits, skipped: skipped)
    }

    /// How `identify` uses the hash cache of a `.dosecurate/cache` folder.
    public enum HashCacheUse: Sendable {
        /// Read every case; the cache is neither read nor written.
        case none
        /// An unchanged file takes its identity from the cache; every case read is stored.
        case use(cacheDirectory: String)
        /// As `use`, but nothing is stored (a workspace that cannot be written).
        case readOnly(cacheDirectory: String)
        /// Read every case and replace the cache entries with what was read, so an entry that held
        /// a wrong identity is corrected (`verify --deep`).
        case refresh(cacheDirectory: String)
    }

    /// The identity of each case as its bytes are now: from the hash cache when the file's stamp is
    /// unchanged (unless `cacheDirectory` is nil), else by reading it in the audit's one streaming
    /// pass with no checks.
    public static func identify(_ locations: [CaseLocation], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                cacheDirectory: String?,
                                progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async -> [CaseLocation: IdentityReading] {
        await identify(locations, workers: workers, cache: cacheDirectory.map { .use(cacheDirectory: $0) } ?? .none, progress: progress)
    }

    /// The identity of each case as its bytes are now, using the hash cache as `cache` says. What
    /// `verify` re-hashes with.
    public static func identify(_ locations: [CaseLocation], workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                cache: HashCacheUse,
                                progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async -> [CaseLocation: IdentityReading] {
        let lookup: CaseHashCache?, store: CaseHashCache?
        switch cache {
        case .none: (lookup, store) = (nil, nil)
        case let .use(directory): (lookup, store) = (CaseHashCache(directory: "\(directory)/hash"), CaseHashCache(directory: "\(directory)/hash"))
        case let .readOnly(directory): (lookup, store) = (CaseHashCache(directory: "\(directory)/hash"), nil)
        case let .refresh(directory): (lookup, store) = (nil, CaseHashCache(directory: "\(directory)/hash"))
        }
        var readings: [CaseLocation: IdentityReading] = [:]
        var pending: [(CaseLocation, key: String?)] = []
        for location in Set(locations) {
            if let identity = lookup?.identity(of: location) {
                readings[location] = .identified(identity)
            } else {
                pending.append((location, nil))
            }
        }
        let counter = ProgressCounter(total: readings.count + pending.count, done: readings.count, report: progress)
        let hashOnly = CheckCatalog(caseChecks: [], datasetChecks: [])
        let read = await readCases(pending, workers: max(1, workers), catalog: hashOnly, policy: .standard, cache: nil, hashes: store,
                                   counter: counter)
        let byName = Dictionary(read.map { ($0.file, $0) }, uniquingKeysWith: { first, _ in first })
        for (location, _) in pending {
            guard let audit = byName[location.name] else {
                readings[location] = .unreadable(reason: "not found in its archive")
                continue
            }
            if audit.caseHash != nil {
                readings[location] = .identified(CaseIdentity(arrays: audit.arrays, metadataSHA256: audit.metadataHash))
            } else {
                readings[location] = .unreadable(reason: audit.findings.first?.message ?? "its metadata cannot be decoded")
            }
        }
        return readings
    }

    /// Files are shared out one at a time; an archive is split into lanes, each one pass through
    /// the archive that streams every `lanes`-th pending member and skips the rest.
    private static func readCases(_ pending: [(CaseLocation, key: String?)], workers: Int, catalog: CheckCatalog, policy: AuditPolicy,
                                  cache: AuditCache?, hashes: CaseHashCache?, counter: ProgressCounter) async -> [CaseAudit] {
        var jobs: [@Sendable () -> [CaseAudit]] = []
        let budgetBytes = FileReadableCheck.caseBudgetBytes(policy.thresholds(for: FileReadableCheck().definition))
        var archiveMembers: [String: [(member: String, key: String?)]] = [:]
        var archiveOrder: [String] = []
        for (location, key) in pending {
            switch location {
            case let .file(path):
                jobs.append {
                    let facts = CaseReader.read(.file(path), budgetBytes: budgetBytes)
                    return [finish(facts, at: location, key: key, catalog: catalog, policy: policy, cache: cache, hashes: hashes,
                                   counter: counter)]
                }
            case let .archiveMember(archive, member):
                if archiveMembers[archive] == nil { archiveOrder.append(archive) }
                archiveMembers[archive, default: []].append((member, key))
            }
        }
        for archive in archiveOrder {
            let members = archiveMembers[archive] ?? []
            let lanes = min(workers, members.count)
            for lane in 0..<lanes {
                let mine = Dictionary(members.enumerated().filter { $0.offset % lanes == lane }.map { ($0.element.member, $0.element.key) },
                                      uniquingKeysWith: { first, _ in first })
                jobs.append {
                    readArchiveLane(archive, members: mine, catalog: catalog, policy: policy, cache: cache, hashes: hashes, counter: counter)
                }
            }
        }
        return await withTaskGroup(of: [CaseAudit].self) { group in
            var next = 0
            for _ in 0..<min(workers, jobs.count) {
                let job = jobs[next]
                group.addTask { job() }
                next += 1
            }
            var audits: [CaseAudit] = []
            while let done = await group.next() {
                audits += done
                if next < jobs.count {
                    let job = jobs[next]
                    group.addTask { job() }
                    next += 1
                }
            }
            return audits
        }
    }

    private static func readArchiveLane(_ archive: String, members: [String: String?], catalog: CheckCatalog, policy: AuditPolicy,
                                        cache: AuditCache?, hashes: CaseHashCache?, counter: ProgressCounter) -> [CaseAudit] {
        var audits: [CaseAudit] = []
        do {
            try DeliveryArchive(path: archive).forEachCase(where: { members[$0] != nil }) { streamed in
                let facts = CaseReader.read(file: streamed.name, budgetBytes: FileReadableCheck.caseBudgetBytes(policy.thresholds(for: FileReadableCheck().definition))) { body in try streamed.stream(maxChunkBytes: CaseReader.chunkBytes, body) }
                audits.append(finish(facts, at: .archiveMember(archive: archive, member: streamed.member), key: members[streamed.member] ?? nil,
                                     catalog: catalog, policy: policy, cache: cache, hashes: hashes, counter: counter))
            }
        } catch {
            // The archive broke part-way: every member this lane had not reached is unreadable.
            let reached = Set(audits.map(\.file))
            for member in members.keys.sorted() where !reached.contains("\(archive)!\(member)") {
                audits.append(.unreadable(file: "\(archive)!\(member)", reason: "\(error)"))
                counter.advance("\(archive)!\(member)")
            }
        }
        return audits
    }

    private static func finish(_ facts: CaseFacts, at location: CaseLocation, key: String?, catalog: CheckCatalog, policy: AuditPolicy,
                               cache: AuditCache?, hashes: CaseHashCache?, counter: ProgressCounter) -> CaseAudit {
        let audit = CaseAudit.evaluate(facts, checks: catalog.caseChecks, policy: policy)
        if let key { cache?.store(audit, key: key) }
        if let identity = facts.identity { hashes?.store(identity, for: location) }
        counter.advance(facts.file)
        return audit
    }
}

/// Counts finished cases across workers and reports each step.
struct ProgressCounter: Sendable {
    private let total: Int
    private let done: LockedBox<Int>
    private let report: @Sendable (AuditProgress) -> Void

    init(total: Int, done: Int, report: @escaping @Sendable (AuditProgress) -> Void) {
        self.total = total
        self.done = LockedBox(done)
        self.report = report
    }

    func advance(_ file: String) {
        let count = done.withLock { done in
            done += 1
            return done
        }
        report(AuditProgress(done: count, total: total, file: file))
    }
}

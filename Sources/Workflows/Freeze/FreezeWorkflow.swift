import Support
import Audit
import DoseCase
import Foundation
import Lineage
import Reports

/// What `freeze` is asked to do.
public struct FreezeRequest: Sendable {
    public var paths: [String]
    public var workspace: Workspace
    public var institutions: InstitutionAssignment
    /// Thresholds, severities and justified inclusions.
    public var policy: AuditPolicy
    public var workers: Int
    /// Reuse the workspace's audit and hash caches (`--no-cache` turns this off).
    public var useCache: Bool

    public init(paths: [String], workspace: Workspace, institutions: InstitutionAssignment = .parentFolder, policy: AuditPolicy = .standard,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount, useCache: Bool = true) {
        self.paths = paths
        self.workspace = workspace
        self.institutions = institutions
        self.policy = policy
        self.workers = workers
        self.useCache = useCache
    }
}

/// What `freeze` did.
public struct FreezeOutcome: Sendable {
    public enum Change: Sendable, Equatable {
        /// A new version: its first revision, audit report and JUnit XML were written.
        case created
        /// The same data found at new paths: a new revision naming its parent.
        case repointed(parent: String)
        /// The same data at the same paths: nothing written.
        case unchanged
    }

    public let revision: DatasetRevision
    public let change: Change
    public let report: AuditReport
    /// Policy inclusions that named no case among the inputs.
    public let unusedInclusions: [String]
}

/// `freeze`: audit (through the cache), decide what the version holds, and publish the audit
/// report, its JUnit XML and the manifest in one workspace commit.
public enum FreezeWorkflow {
    public static func run(_ request: FreezeRequest,
                           progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async throws -> FreezeOutcome {
        let workspace = request.workspace
        let options = AuditOptions(workers: request.workers, cacheDirectory: request.useCache ? workspace.cacheDirectory : nil,
                                   policy: request.policy)
        let report = try await Auditor.run(paths: request.paths, options: options, progress: progress)
        CrashPoint.reach("audited")

        let built = try DatasetVersionBuilder(report: report, institutions: request.institutions, inclusions: request.policy.include).build()
        let id = try DatasetVersion.id(of: built.identity)
        let files = built.files
            .map { DatasetVersion.Context.CaseFile(caseId: $0.caseId, path: workspace.recordedName(for: $0.location), role: $0.role) }
            .sorted { ($0.caseId, $0.path) < ($1.caseId, $1.path) }

        let lock = try workspace.lock(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        let revisions = DatasetRevision.catalog(of: workspace).versions[id] ?? []
        let previous = try revisions.last.map { try DatasetRevision.read(id: id, revision: $0, from: workspace) }
        if let previous, previous.dataset.context.files == files {
            return FreezeOutcome(revision: previous, change: .unchanged, report: report, unusedInclusions: built.unusedInclusions)
        }

        var publish: [(name: String, bytes: [UInt8])] = []
        let audit: DatasetVersion.Context.AuditFiles
        if let previous {
            // The audit bound to the version stays the one made when it was first frozen.
            audit = previous.dataset.context.audit
        } else {
            let recorded = report.renamingFiles { workspace.recordedName(for: CaseLocation.parse($0)) }
            let json = [UInt8](try AuditJSON.render(recorded)) + [0x0A]
            // `verify` re-derives the digest from this file: it must be the one the id pins.
            let digest = try AuditIdentity.digest(ofReport: json, path: "audits/\(id).json")
            guard digest == built.identity.auditDigest else {
                throw LineageError.invalidRecord(path: workspace.file("audits/\(id).json"), reason: """
                    the rendered report's audit identity (\(digest.prefix(16))…) is not the one the version pins \
                    (\(built.identity.auditDigest.prefix(16))…); nothing was written
                    """)
            }
            let junit = try AuditJUnitXML.render(recorded)
            audit = .init(report: "audits/\(id).json", reportSHA256: SHA256Hex.of(json), junit: "audits/\(id).junit.xml",
                          junitSHA256: SHA256Hex.of(junit), catalogVersion: report.catalogVersion, policySHA256: report.policy.sha256,
                          policySource: report.policy.source)
            publish += [(audit.report, json), (audit.junit, junit)]
        }
        let context = DatasetVersion.Context(
            createdAt: ISO8601DateFormatter().string(from: Date()), parent: previous?.reference, tool: .current,
            inputs: request.paths.map { workspace.recordedName(for: .file($0)) }, institutionSource: request.institutions.source,
            files: files, audit: audit)
        let revision = try DatasetRevision(id: id, revision: (revisions.last ?? 0) + 1,
                                           dataset: DatasetVersion(identity: built.identity, context: context))
        publish.append((revision.fileName, revision.envelope.bytes))
        try workspace.commit(publish)
        return FreezeOutcome(revision: revision, change: previous.map { .repointed(parent: $0.reference) } ?? .created, report: report,
                             unusedInclusions: built.unusedInclusions)
    }
}

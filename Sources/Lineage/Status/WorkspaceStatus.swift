import Audit
import DoseCase
import Foundation
import NumpyFormat

/// `status`: what changed since the records were written, as `git status` / `dvc status` say it —
/// case files changed or missing, records that no longer hash to what they say (everything
/// `verify` finds), and new `.npz` files (or archive members) under the folders a version was
/// frozen from that no version records.
public struct WorkspaceStatus: Sendable, Codable, Equatable {
    /// Everything `verify` reports (trusting the hash cache for unchanged files).
    public let verification: VerificationReport
    /// A case file no version records, under an input of a version.
    public struct NewFile: Sendable, Codable, Equatable {
        /// As a record would spell it (workspace-relative, absolute, or `ARCHIVE!member`).
        public let path: String
        /// The version whose inputs hold it.
        public let version: String
    }
    public let newFiles: [NewFile]

    public var isClean: Bool { verification.isClean && newFiles.isEmpty }

    public static func compute(_ workspace: Workspace, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                               progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async throws -> WorkspaceStatus {
        let verification = try await WorkspaceVerifier.verify(workspace, deep: false, workers: workers, progress: progress)
        return WorkspaceStatus(verification: verification, newFiles: newFiles(in: workspace))
    }

    /// Case files under each version's inputs that no revision of any version records.
    static func newFiles(in workspace: Workspace) -> [NewFile] {
        var revisions: [DatasetRevision] = []
        for (id, numbers) in DatasetRevision.catalog(of: workspace).versions.sorted(by: { $0.key < $1.key }) {
            for number in numbers { if let revision = try? DatasetRevision.read(id: id, revision: number, from: workspace) { revisions.append(revision) } }
        }
        let recorded = Set(revisions.flatMap { $0.dataset.context.files.map(\.path) })
        var seen: Set<String> = [], found: [NewFile] = []
        // The latest revision's inputs are where the version's cases now lie.
        let latest = Dictionary(revisions.map { ($0.id, $0) }, uniquingKeysWith: { old, new in new.revision > old.revision ? new : old })
        for revision in latest.values.sorted(by: { $0.id < $1.id }) {
            for input in revision.dataset.context.inputs {
                let path = workspace.location(ofRecorded: input).containingFile
                guard let listed = try? AuditInputs.resolve([path]) else { continue }
                var names = listed.files.map { workspace.recordedName(for: .file($0)) }
                for archive in listed.archives {
                    let members = (try? DeliveryArchive(path: archive).caseMembers().cases) ?? []
                    names += members.map { workspace.recordedName(for: .archiveMember(archive: archive, member: $0)) }
                }
                for name in names.sorted() where !recorded.contains(name) && seen.insert(name).inserted {
                    found.append(NewFile(path: name, version: revision.id))
                }
            }
        }
        return found
    }
}

import Audit
import DoseCase
import Foundation
import NumpyFormat

/// The one answer to "is this pinned case still what was frozen?" (DESIGN, module Lineage): a
/// dataset version (+ revision), a locked split of it (+ revision) and the roles wanted, resolved
/// to verified cases. Every record's stored hash is checked against its content, the split must
/// be of that version and agree with it case by case, and each case file must still hold the
/// case the version froze. `train`, `run`, `export`, `predict`, `evaluate`, `split verify` and
/// `verify` all go through here (the last two through `assignmentProblems` and `CaseFileCheck`).
public struct PinnedSelection: Sendable {
    public let dataset: DatasetRevision
    public let split: SplitRevision
    /// The cases the split assigns to the roles asked for, sorted by case id.
    public let cases: [PinnedCase]

    public func cases(in role: LockedSplit.Role) -> [PinnedCase] { cases.filter { $0.role == role } }

    /// The version and split named, with both records' hashes checked and the split's assignments
    /// checked against the version; no case file is read.
    public static func records(in workspace: Workspace, dataset reference: String, split splitReference: String) throws
        -> (dataset: DatasetRevision, split: SplitRevision) {
        let dataset = try DatasetRevision.resolve(reference, in: workspace)
        let split = try SplitRevision.resolve(splitReference, in: workspace)
        for (envelope, file) in [(dataset.envelope, dataset.fileName), (split.envelope, split.fileName)] where envelope.storedHash != envelope.computedHash {
            throw SelectionError.tamperedRecord(path: workspace.file(file), stored: envelope.storedHash, computed: envelope.computedHash)
        }
        guard split.identity.dataset == dataset.id else {
            throw SelectionError.splitOfAnotherVersion(split: split.reference, splitVersion: split.identity.dataset, requested: dataset.id)
        }
        if let problem = assignmentProblems(of: split, against: dataset).first { throw problem }
        return (dataset, split)
    }

    /// Resolves the selection and verifies every case file of `roles` (through the workspace's hash
    /// cache). A case frozen inside a delivery archive is copied out once to the workspace cache
    /// (`.dosecurate/cache/cases/<case hash>.npz`) and the copy verified, so readers that need a
    /// seekable file get one.
    public static func resolve(in workspace: Workspace, dataset reference: String, split splitReference: String,
                               roles: [LockedSplit.Role], workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws -> PinnedSelection {
        let (dataset, split) = try records(in: workspace, dataset: reference, split: splitReference)
        let frozen = Dictionary(dataset.identity.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        let paths = dataset.dataset.keptPaths
        var expected: [(CaseFileCheck.Expected, LockedSplit.Role)] = []
        for assignment in split.identity.cases.sorted(by: { $0.caseId < $1.caseId }) where roles.contains(assignment.role) {
            // `records` checked that every assignment is a kept case of the version.
            guard let entry = frozen[assignment.caseId] else { continue }
            guard let path = paths[assignment.caseId] else { throw SelectionError.noRecordedFile(caseId: assignment.caseId, dataset: dataset.reference) }
            expected.append((.init(caseId: assignment.caseId, frozen: entry, recordedPath: path, location: workspace.location(ofRecorded: path)), assignment.role))
        }
        // Files are checked where they lie; archive members through their on-disk copy. A copy
        // that no longer checks out (edited, or half-written by a crash elsewhere) is made again.
        var checked = try expected.map { try copied($0.0, in: workspace, dataset: dataset, replacing: false) }
        var outcomes = await CaseFileCheck.check(checked, cache: .use(cacheDirectory: workspace.cacheDirectory), workers: workers)
        for index in checked.indices where outcomes[index] != .intact && checked[index].location != expected[index].0.location {
            checked[index] = try copied(expected[index].0, in: workspace, dataset: dataset, replacing: true)
            outcomes[index] = await CaseFileCheck.check([checked[index]], cache: .none, workers: 1)[0]
        }
        var cases: [PinnedCase] = []
        for ((original, role), (item, outcome)) in zip(expected, zip(checked, outcomes)) {
            switch outcome {
            case .intact:
                cases.append(PinnedCase(caseId: item.caseId, role: role, caseHash: item.frozen.caseHash, location: original.location,
                                        file: item.location.containingFile))
            case .missing:
                throw SelectionError.caseFileMissing(caseId: item.caseId, path: item.recordedPath, dataset: dataset.reference)
            case let .changed(differences):
                throw SelectionError.caseFileChanged(caseId: item.caseId, path: item.recordedPath, dataset: dataset.reference, differences: differences)
            case let .unreadable(reason):
                throw SelectionError.caseFileUnreadable(caseId: item.caseId, path: item.recordedPath, reason: "\(reason)")
            }
        }
        return PinnedSelection(dataset: dataset, split: split, cases: cases)
    }

    /// `item` itself when it is a file; for an archive member, the same case at its on-disk copy,
    /// made when absent (or when `replacing`).
    private static func copied(_ item: CaseFileCheck.Expected, in workspace: Workspace, dataset: DatasetRevision,
                               replacing: Bool) throws -> CaseFileCheck.Expected {
        guard case let .archiveMember(archive, member) = item.location else { return item }
        let copy = workspace.file(copyName(caseHash: item.frozen.caseHash))
        if replacing || !FileManager.default.fileExists(atPath: copy) {
            guard FileManager.default.fileExists(atPath: archive) else {
                throw SelectionError.caseFileMissing(caseId: item.caseId, path: item.recordedPath, dataset: dataset.reference)
            }
            do {
                try FileManager.default.createDirectory(atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try DeliveryArchive(path: archive).copyCase(member, to: copy, maximumBytes: maximumCopyBytes)
            } catch NPZError.memberNotFound {
                throw SelectionError.caseFileMissing(caseId: item.caseId, path: item.recordedPath, dataset: dataset.reference)
            } catch {
                throw SelectionError.caseCopyFailed(caseId: item.caseId, path: item.recordedPath, reason: .cause(error))
            }
        }
        return .init(caseId: item.caseId, frozen: item.frozen, recordedPath: item.recordedPath, location: .file(copy))
    }

    /// What is wrong with the split's assignments as a split of `dataset`, assignment by
    /// assignment: a case the version does not keep (or excludes), or a case hash it did not freeze.
    public static func assignmentProblems(of split: SplitRevision, against dataset: DatasetRevision) -> [SelectionError] {
        let kept = Dictionary(dataset.identity.cases.map { ($0.caseId, $0.caseHash) }, uniquingKeysWith: { first, _ in first })
        return split.identity.cases.compactMap { assignment in
            if let exclusion = dataset.identity.excluded.first(where: { $0.caseId == assignment.caseId }) {
                let checks = exclusion.checks.isEmpty ? "" : ": " + exclusion.checks.joined(separator: ", ")
                return .excludedCase(caseId: assignment.caseId, dataset: dataset.id, reason: exclusion.reason.rawValue + checks)
            }
            guard let frozen = kept[assignment.caseId] else {
                return .caseNotInVersion(caseId: assignment.caseId, split: split.reference, dataset: dataset.id)
            }
            return frozen == assignment.caseHash ? nil : .caseHashDiffers(caseId: assignment.caseId, split: split.reference, dataset: dataset.id)
        }
    }

    /// Where a case copied out of a delivery archive is kept: named by its case hash, so every
    /// version holding the case shares one copy, and a stale or edited copy fails its check.
    static func copyName(caseHash: String) -> String { ".dosecurate/cache/cases/\(caseHash).npz" }

    /// Four times the largest real case file: a member beyond it is not a case.
    static let maximumCopyBytes = 8 << 30
}

/// A case a pinned selection assigns to one of its roles, verified.
public struct PinnedCase: Sendable, Equatable {
    public let caseId: String
    public let role: LockedSplit.Role
    public let caseHash: String
    /// Where the version records it (a file, or a member of a delivery archive).
    public let location: CaseLocation
    /// A `.npz` on disk holding exactly this case: the case file itself, or the verified copy of an
    /// archive member.
    public let file: String
}

import Support

/// Why a lineage operation could not be done (the CLI's exit 2): each names the file or case and
/// what was expected.
public enum LineageError: Error, Sendable, Equatable, CustomStringConvertible {
    case workspaceUnusable(path: String, reason: ErrorReason)
    /// `searched`: no workspace at or above `path`; else `path` was named and is not one.
    case notAWorkspace(path: String, searched: Bool)
    case lockFailed(path: String, reason: ErrorReason)
    case writeFailed(path: String, reason: ErrorReason)
    /// A record that exists would be replaced: records are never edited (a change is a new revision).
    case recordExists(path: String)
    case invalidRecord(path: String, reason: ErrorReason)
    case invalidInstitutionMap(path: String, reason: ErrorReason)
    case institutionsMissing(caseIds: [String], map: String)
    case conflictingCaseId(caseId: String, files: [String])
    case invalidInclusion(caseId: String, reason: String)
    case nothingToFreeze
    /// Every audited case was excluded; `excluded` counts them by reason (`audit-errors`, `unreadable`, `duplicate`).
    case nothingKept(audited: Int, excluded: [String: Int])
    case unknownDataset(reference: String, known: [String])
    case ambiguousDataset(reference: String, candidates: [String])
    case unknownSplit(reference: String, known: [String])
    case invalidSplitRequest(reason: String)
    case splitExists(name: String, reason: String)
    case splitCannotExtend(name: String, dataset: String, differences: [String])

    public var description: String {
        switch self {
        case let .workspaceUnusable(path, reason): "workspace \(path): \(reason)"
        case let .notAWorkspace(path, searched):
            searched
                ? "not in a dosecurate workspace (no \(WorkspaceDiscovery.markerName) in \(path) or any folder above it)"
                : "\(path) is not a dosecurate workspace (no \(WorkspaceDiscovery.markerName)); create it with `dosecurate init \(path)`"
        case let .lockFailed(path, reason): "cannot lock the workspace (\(path)): \(reason)"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        case let .recordExists(path): "\(path) exists, and a record is never replaced"
        case let .invalidRecord(path, reason): "record \(path): \(reason)"
        case let .invalidInstitutionMap(path, reason): "institution map \(path): \(reason)"
        case let .institutionsMissing(caseIds, map):
            "institution map \(map) has no row for \(caseIds.count) case\(caseIds.count == 1 ? "" : "s"): \(caseIds.joined(separator: ", "))"
        case let .conflictingCaseId(caseId, files):
            "case id \(caseId) is claimed by files with different content: \(files.joined(separator: " and ")); rename one (metadata.case_id or the file name) or remove it"
        case let .invalidInclusion(caseId, reason): "policy include \(caseId): \(reason)"
        case .nothingToFreeze: "no cases to freeze"
        case let .nothingKept(audited, excluded):
            "no case of the \(audited) audited passed the audit; nothing to freeze ("
                + excluded.sorted { $0.key < $1.key }.map { reason, count in
                    "\(count) " + (reason == "audit-errors" ? "with audit errors" : reason == "duplicate" ? (count == 1 ? "duplicate" : "duplicates") : reason)
                }.joined(separator: ", ")
                + "; a policy's include can keep a case with audit errors, with a written justification)"
        case let .unknownDataset(reference, known):
            "no dataset version \(reference) in the workspace (it holds: \(known.isEmpty ? "none; run freeze first" : known.joined(separator: ", ")))"
        case let .ambiguousDataset(reference, candidates):
            "\(reference) names more than one dataset version (\(candidates.joined(separator: ", "))); give more of the id"
        case let .unknownSplit(reference, known):
            "no split \(reference) in the workspace (it holds: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case let .invalidSplitRequest(reason): reason
        case let .splitExists(name, reason): "split \(name) is already locked with different inputs (\(reason)); a locked split never changes: choose another name"
        case let .splitCannotExtend(name, dataset, differences):
            "cannot extend \(name) with \(dataset): it must hold every case of the split unchanged, but \(differences.count) differ\(differences.count == 1 ? "s" : ""): \(differences.joined(separator: "; "))"
        }
    }
}

extension LineageError: CodedError {
    public var code: String {
        switch self {
        case .workspaceUnusable: "lineage.workspace_unusable"
        case .notAWorkspace: "lineage.not_a_workspace"
        case .lockFailed: "lineage.lock_failed"
        case .writeFailed: "lineage.write_failed"
        case .recordExists: "lineage.record_exists"
        case .invalidRecord: "lineage.invalid_record"
        case .invalidInstitutionMap: "lineage.invalid_institution_map"
        case .institutionsMissing: "lineage.institutions_missing"
        case .conflictingCaseId: "lineage.conflicting_case_id"
        case .invalidInclusion: "lineage.invalid_inclusion"
        case .nothingToFreeze: "lineage.nothing_to_freeze"
        case .nothingKept: "lineage.nothing_kept"
        case .unknownDataset: "lineage.unknown_dataset"
        case .ambiguousDataset: "lineage.ambiguous_dataset"
        case .unknownSplit: "lineage.unknown_split"
        case .invalidSplitRequest: "lineage.invalid_split_request"
        case .splitExists: "lineage.split_exists"
        case .splitCannotExtend: "lineage.split_cannot_extend"
        }
    }
}

/// Why a lineage operation could not be done (the CLI's exit 2): each names the file or case and
/// what was expected.
public enum LineageError: Error, Sendable, Equatable, CustomStringConvertible {
    case workspaceUnusable(path: String, reason: String)
    case lockFailed(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    case invalidRecord(path: String, reason: String)
    case invalidInstitutionMap(path: String, reason: String)
    case institutionsMissing(caseIds: [String], map: String)
    case conflictingCaseId(caseId: String, files: [String])
    case invalidInclusion(caseId: String, reason: String)
    case nothingToFreeze

    public var description: String {
        switch self {
        case let .workspaceUnusable(path, reason): "workspace \(path): \(reason)"
        case let .lockFailed(path, reason): "cannot lock the workspace (\(path)): \(reason)"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        case let .invalidRecord(path, reason): "record \(path): \(reason)"
        case let .invalidInstitutionMap(path, reason): "institution map \(path): \(reason)"
        case let .institutionsMissing(caseIds, map):
            "institution map \(map) has no row for \(caseIds.count) case\(caseIds.count == 1 ? "" : "s"): \(caseIds.joined(separator: ", "))"
        case let .conflictingCaseId(caseId, files):
            "case id \(caseId) is claimed by files with different content: \(files.joined(separator: " and ")); rename one (metadata.case_id or the file name) or remove it"
        case let .invalidInclusion(caseId, reason): "policy include \(caseId): \(reason)"
        case .nothingToFreeze: "no cases to freeze"
        }
    }
}

import Support

/// Why pinned data was refused: the records do not say what they said when written, or a case
/// file is no longer the case the version froze. Every pinned command (`train`, `run`, `export`,
/// `predict`, `evaluate`) refuses with one of these before doing any work (exit 2), and each
/// message says what to run next.
public enum SelectionError: Error, Sendable, Equatable, CustomStringConvertible {
    case tamperedRecord(path: String, stored: String, computed: String)
    case splitOfAnotherVersion(split: String, splitVersion: String, requested: String)
    case excludedCase(caseId: String, dataset: String, reason: String)
    case caseNotInVersion(caseId: String, split: String, dataset: String)
    case caseHashDiffers(caseId: String, split: String, dataset: String)
    case noRecordedFile(caseId: String, dataset: String)
    case caseFileMissing(caseId: String, path: String, dataset: String)
    case caseFileChanged(caseId: String, path: String, dataset: String, differences: String)
    case caseFileUnreadable(caseId: String, path: String, reason: ErrorReason)
    case caseCopyFailed(caseId: String, path: String, reason: ErrorReason)

    public var description: String {
        switch self {
        case let .tamperedRecord(path, stored, computed):
            "\(path) was edited after it was written: it says its hash is \(stored.prefix(16))…, its content hashes to \(computed.prefix(16))…; "
                + "refusing pinned data from it (restore it from git; `dosecurate verify` lists every such record)"
        case let .splitOfAnotherVersion(split, splitVersion, requested):
            "split \(split) was locked for \(splitVersion), not \(requested); use \(splitVersion), or lock a split of \(requested)"
        case let .excludedCase(caseId, dataset, reason):
            "case \(caseId) is excluded from \(dataset) (\(reason)); a split that assigns it is not one this version made — lock the split again"
        case let .caseNotInVersion(caseId, split, dataset):
            "split \(split) assigns case \(caseId), which \(dataset) does not hold; lock a split of \(dataset)"
        case let .caseHashDiffers(caseId, split, dataset):
            "case \(caseId): split \(split) names another case hash than \(dataset) froze; lock the split again"
        case let .noRecordedFile(caseId, dataset):
            "case \(caseId): \(dataset) records no file for it; freeze the cases again"
        case let .caseFileMissing(caseId, path, dataset):
            "case \(caseId): \(path) is missing; if the case moved, freeze the new location "
                + "(`dosecurate freeze NEW-FOLDER` writes a new revision of \(dataset) when the cases are the same)"
        case let .caseFileChanged(caseId, path, dataset, differences):
            "case \(caseId): \(path) changed since \(dataset) was frozen (\(differences)); restore the file, "
                + "or freeze the changed cases as a new version"
        case let .caseFileUnreadable(caseId, path, reason):
            "case \(caseId): \(path) cannot be read: \(reason)"
        case let .caseCopyFailed(caseId, path, reason):
            "case \(caseId): cannot copy \(path) out of its delivery archive: \(reason)"
        }
    }

    /// The case a refusal is about, when it is about one.
    public var caseId: String? {
        switch self {
        case .tamperedRecord, .splitOfAnotherVersion: nil
        case let .excludedCase(caseId, _, _), let .caseNotInVersion(caseId, _, _), let .caseHashDiffers(caseId, _, _),
             let .noRecordedFile(caseId, _), let .caseFileMissing(caseId, _, _), let .caseFileChanged(caseId, _, _, _),
             let .caseFileUnreadable(caseId, _, _), let .caseCopyFailed(caseId, _, _): caseId
        }
    }
}

extension SelectionError: CodedError {
    public var code: String {
        switch self {
        case .tamperedRecord: "selection.tampered_record"
        case .splitOfAnotherVersion: "selection.split_of_another_version"
        case .excludedCase: "selection.excluded_case"
        case .caseNotInVersion: "selection.case_not_in_version"
        case .caseHashDiffers: "selection.case_hash_differs"
        case .noRecordedFile: "selection.no_recorded_file"
        case .caseFileMissing: "selection.case_file_missing"
        case .caseFileChanged: "selection.case_file_changed"
        case .caseFileUnreadable: "selection.case_file_unreadable"
        case .caseCopyFailed: "selection.case_copy_failed"
        }
    }
}

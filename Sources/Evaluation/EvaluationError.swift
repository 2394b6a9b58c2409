import Support

/// Why an evaluation could not be made; each message names the file and what was expected.
public enum EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case noReferenceCases(path: String)
    case noPredictions(path: String)
    case gridMismatch(prediction: String, expected: String, found: String)
    case missingDose(prediction: String, available: [String])
    case unreadablePrediction(prediction: String, reason: ErrorReason)
    case predictionLooksLikeGy(prediction: String, maximum: Double)
    case referenceNotInVersion(caseId: String, file: String, version: String)
    case referenceChanged(caseId: String, file: String, expected: String, found: String)
    case referenceUnreadable(file: String, reason: ErrorReason)
    case predictionsOutsideRole(role: String, split: String, caseIds: [String])
    case duplicateCaseId(caseId: String, files: [String])
    case unreadableRecord(path: String, reason: ErrorReason)
    /// A record whose content no longer hashes to its stored hash: it was edited after it was written.
    case editedRecord(path: String, storedHash: String)
    case mixedWeights(hashes: [String])
    case unknownRun(runId: String)
    case weightsNotOfRun(runId: String, weightsSHA256: String)
    /// Gamma maps were asked for with pass-rate statistics, whose maps hold decisions, not γ.
    case gammaMapsNeedFullStatistics
    case caseIdNotAFileName(caseId: String)
    case gammaMapUnwritable(path: String, reason: ErrorReason)
    case gammaMapNotSaved(caseId: String, record: String)
    case gammaMapMissing(path: String)
    case gammaMapChanged(path: String, expected: String, found: String)
    case gammaMapUnreadable(path: String, reason: ErrorReason)

    public var description: String {
        switch self {
        case let .notFound(path):
            return "\(path): no such file or directory"
        case let .noReferenceCases(path):
            return "\(path): no reference case (.npz) found"
        case let .noPredictions(path):
            return "\(path): no prediction (<caseId>_pred.npz) found"
        case let .gridMismatch(prediction, expected, found):
            return "\(prediction): dose grid \(found) does not match the reference case's \(expected)"
        case let .missingDose(prediction, available):
            return "\(prediction): expected an array 'dose', found \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case let .unreadablePrediction(prediction, reason):
            return "\(prediction): \(reason)"
        case let .predictionLooksLikeGy(prediction, maximum):
            return "\(prediction): its dose reaches \(String(format: "%.4g", maximum)), which looks like Gy, expected doses normalised to "
                + "70 Gy = 1.0 (as the cases store them); divide by 70, or evaluate it as doses in Gy"
        case let .referenceNotInVersion(caseId, file, version):
            return "\(file): case \(caseId) is not in dataset version \(version)"
        case let .referenceChanged(caseId, file, expected, found):
            return "\(file): case \(caseId) hashes to \(found), but the version froze \(expected) — the reference changed since it was frozen"
        case let .referenceUnreadable(file, reason):
            return "\(file): the reference case cannot be read: \(reason)"
        case let .predictionsOutsideRole(role, split, caseIds):
            return "refusing predictions for cases that split \(split) does not assign to \(role): \(caseIds.joined(separator: ", "))"
        case let .duplicateCaseId(caseId, files):
            return "case id \(caseId) is held by more than one reference file: \(files.joined(separator: ", "))"
        case let .unreadableRecord(path, reason):
            return "\(path): not a readable evaluation record: \(reason)"
        case let .editedRecord(path, storedHash):
            return "\(path): its content no longer hashes to its stored hash \(storedHash): it was edited after it was written"
        case let .mixedWeights(hashes):
            return "the predictions come from different weights (sha256 \(hashes.map { String($0.prefix(12)) }.joined(separator: ", "))): "
                + "an evaluation scores one model; evaluate each model's predictions on their own"
        case let .unknownRun(runId):
            return "no run \(runId) in this workspace (no runs/\(runId)/run.json)"
        case let .weightsNotOfRun(runId, weights):
            return "the predictions were made with weights sha256 \(weights.prefix(12))…, which run \(runId) did not write "
                + "(not among the files its result lists)"
        case .gammaMapsNeedFullStatistics:
            return "gamma maps are kept only with full statistics: a pass-rate search stops at the first passing sample, so its map holds "
                + "pass/fail decisions, not gamma values"
        case let .caseIdNotAFileName(caseId):
            return "case id '\(caseId)' cannot name a gamma map file (it is empty, hidden or holds '/')"
        case let .gammaMapUnwritable(path, reason):
            return "\(path): the gamma map cannot be written: \(reason)"
        case let .gammaMapNotSaved(caseId, record):
            return "\(record) keeps no gamma map of case \(caseId) (the evaluation did not keep its maps)"
        case let .gammaMapMissing(path):
            return "\(path): the gamma map the evaluation lists is missing"
        case let .gammaMapChanged(path, expected, found):
            return "\(path): the gamma map changed since it was recorded (sha256 \(expected.prefix(12))… → \(found.prefix(12))…)"
        case let .gammaMapUnreadable(path, reason):
            return "\(path): not a readable gamma map: \(reason)"
        }
    }
}

extension EvaluationError: CodedError {
    public var code: String {
        switch self {
        case .notFound: "evaluation.not_found"
        case .noReferenceCases: "evaluation.no_reference_cases"
        case .noPredictions: "evaluation.no_predictions"
        case .gridMismatch: "evaluation.grid_mismatch"
        case .missingDose: "evaluation.missing_dose"
        case .unreadablePrediction: "evaluation.unreadable_prediction"
        case .predictionLooksLikeGy: "evaluation.prediction_looks_like_gy"
        case .referenceNotInVersion: "evaluation.reference_not_in_version"
        case .referenceChanged: "evaluation.reference_changed"
        case .referenceUnreadable: "evaluation.reference_unreadable"
        case .predictionsOutsideRole: "evaluation.predictions_outside_role"
        case .duplicateCaseId: "evaluation.duplicate_case_id"
        case .unreadableRecord: "evaluation.unreadable_record"
        case .editedRecord: "evaluation.edited_record"
        case .mixedWeights: "evaluation.mixed_weights"
        case .unknownRun: "evaluation.unknown_run"
        case .weightsNotOfRun: "evaluation.weights_not_of_run"
        case .gammaMapsNeedFullStatistics: "evaluation.gamma_maps_need_full_statistics"
        case .caseIdNotAFileName: "evaluation.case_id_not_a_file_name"
        case .gammaMapUnwritable: "evaluation.gamma_map_unwritable"
        case .gammaMapNotSaved: "evaluation.gamma_map_not_saved"
        case .gammaMapMissing: "evaluation.gamma_map_missing"
        case .gammaMapChanged: "evaluation.gamma_map_changed"
        case .gammaMapUnreadable: "evaluation.gamma_map_unreadable"
        }
    }
}

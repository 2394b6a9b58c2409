import DoseCase
import Dosimetry
import Evaluation
import Foundation
import Lineage

/// What `evaluate` is asked to do.
public struct EvaluateRequest: Sendable {
    /// Reference case files or folders; may be empty with a selection (the version's paths are used).
    public var references: [String]
    /// A prediction file or a folder of `<caseId>_pred.npz`.
    public var predictions: String
    /// Pin the cases to a dataset version, split and role.
    public var selection: SplitSelection?
    /// Where the record goes: written when pinned, or when `record` is set.
    public var workspace: Workspace
    public var record: Bool
    public var criteria: GammaCriteria
    public var subsample: Int
    public var region: PTVRegion
    /// Nil: the built-in `current` table.
    public var acceptanceProtocol: AcceptanceProtocol?
    public var openKBP: Bool
    public var workers: Int
    /// Pinned: refuse predictions for cases outside the role instead of setting them aside.
    public var strict = false
    /// The hash cache for unpinned references; nil: the workspace's.
    public var cacheDirectory: String?
    /// What the user calls the evaluation, kept in the record's context.
    public var label: String?
    /// How the predictions' doses are read (recorded in the settings when `gy`).
    public var predictionDoseUnit: PredictionDoseUnit = .normalised
    /// The run whose weights made the predictions (`--run`); nil: found from the weights hash
    /// the predictions' metadata names, when the workspace holds that run.
    public var run: String?
    /// The full gamma map's statistics, or the pass rate alone (a faster search; the record says which).
    public var gammaStatistics: EvaluationRecord.GammaStatistics = .full
    /// Keep each case's gamma map under `evaluations/<hash>/gamma/` (`--save-gamma`). Implies
    /// writing the record (the record is what names the maps); needs `full` statistics.
    public var saveGammaMaps = false

    public init(references: [String], predictions: String, selection: SplitSelection? = nil, workspace: Workspace, record: Bool = false,
                criteria: GammaCriteria = .historic, subsample: Int = 1, region: PTVRegion = .cuboid,
                acceptanceProtocol: AcceptanceProtocol? = nil, openKBP: Bool = false, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.references = references
        self.predictions = predictions
        self.selection = selection
        self.workspace = workspace
        self.record = record
        self.criteria = criteria
        self.subsample = subsample
        self.region = region
        self.acceptanceProtocol = acceptanceProtocol
        self.openKBP = openKBP
        self.workers = workers
    }
}

public struct EvaluateOutcome: Sendable {
    public let record: EvaluationRecord
    public let plan: EvaluationPlan
    /// The record's path in the workspace when it was written (or already there).
    public let recordFile: String?
    /// True when an identical record was already in the workspace.
    public let alreadyRecorded: Bool
    /// With `saveGammaMaps`: what became of the maps.
    public var gammaMaps: GammaMapFile.Outcome? = nil

    /// Exit 1: predictions or references missing for cases that should be evaluated.
    public var isIncomplete: Bool { !plan.missingPredictions.isEmpty || !plan.missingReferences.isEmpty }
}

/// One step of an evaluation's progress.
public struct EvaluateProgress: Sendable {
    public let done: Int
    public let total: Int
    public let caseId: String
}

/// `evaluate`: match predictions to reference cases (pinned to a locked split when asked, each
/// reference verified against its frozen hash), evaluate each case, and record the result.
public enum EvaluateWorkflow {
    public static func run(_ request: EvaluateRequest,
                           progress: @escaping @Sendable (EvaluateProgress) -> Void = { _ in }) async throws -> EvaluateOutcome {
        let started = Date()
        _ = try request.criteria.validated()
        if request.saveGammaMaps && request.gammaStatistics != .full { throw EvaluationError.gammaMapsNeedFullStatistics }
        let plan: EvaluationPlan
        var settings = try EvaluationSettings(criteria: request.criteria, subsample: request.subsample, region: request.region,
                                              acceptanceProtocol: request.acceptanceProtocol, openKBP: request.openKBP,
                                              predictionDoseUnit: request.predictionDoseUnit)
        var datasetRevision: String?
        if let selection = request.selection {
            let pinned = try await PredictionMatcher.plan(selection: selection, references: request.references, predictions: request.predictions,
                                                          strict: request.strict, workers: request.workers)
            plan = pinned.plan
            datasetRevision = pinned.dataset.reference
            settings = try EvaluationSettings(
                criteria: request.criteria, subsample: request.subsample, region: request.region,
                acceptanceProtocol: request.acceptanceProtocol, openKBP: request.openKBP,
                datasetVersion: pinned.dataset.id,
                split: .init(name: pinned.split.name, revision: pinned.split.revision, hash: pinned.split.envelope.storedHash,
                             role: selection.role.rawValue), predictionDoseUnit: request.predictionDoseUnit)
        } else {
            plan = try await PredictionMatcher.plan(references: request.references, predictions: request.predictions,
                                                    cacheDirectory: request.cacheDirectory ?? request.workspace.cacheDirectory, workers: request.workers)
        }

        let model = try EvaluationModel.resolve(run: request.run, predictionFiles: plan.pairs.map(\.predictionFile), in: request.workspace)
        if request.saveGammaMaps, let unsafe = plan.pairs.first(where: { !GammaMapFile.isFileNameSafe($0.caseId) }) {
            throw EvaluationError.caseIdNotAFileName(caseId: unsafe.caseId)
        }
        // Each map goes to disk as soon as its case is done (a full-size map is ~58 MB of float32),
        // into a folder of the workspace's own: its final folder is named after the record's hash,
        // known only once every case is evaluated.
        let staging = request.saveGammaMaps ? try request.workspace.makeStagingFolder() : nil
        defer { if let staging { try? FileManager.default.removeItem(atPath: staging) } }
        var stagedMaps: [String: String] = [:]

        // Unpinned references are hashed for the record on a core of their own while the cases
        // are evaluated (a cold hash inflates every array of the case).
        let unhashed = plan.pairs.filter { $0.caseHash == nil }.map(\.referenceFile)
        async let computedHashes = PredictionMatcher.caseHashes(unhashed, cacheDirectory: request.cacheDirectory ?? request.workspace.cacheDirectory, workers: 1)
        var cases: [CaseEvaluation] = []
        for (index, pair) in plan.pairs.enumerated() {
            let reference: DoseCase
            do { reference = try DoseCase.open(path: pair.referenceFile) } catch {
                throw EvaluationError.referenceUnreadable(file: pair.referenceFile, reason: .cause(error))
            }
            let (evaluation, map) = try await CaseEvaluator.evaluateKeepingMap(
                reference: reference, caseHash: pair.caseHash ?? "", prediction: pair.predictionFile, settings: settings,
                gammaStatistics: request.gammaStatistics, workers: max(1, request.workers))
            if let staging, let grid = reference.shape {
                stagedMaps[pair.caseId] = try GammaMapFile.write(map, grid: grid, to: "\(staging)/\(pair.caseId).npz")
            }
            cases.append(evaluation)
            progress(EvaluateProgress(done: index + 1, total: plan.pairs.count, caseId: pair.caseId))
        }
        let hashes = try await computedHashes
        cases = try zip(plan.pairs, cases).map { pair, evaluation in
            if pair.caseHash != nil { return evaluation }
            guard let hash = hashes[pair.referenceFile] else {
                throw EvaluationError.referenceUnreadable(file: pair.referenceFile, reason: "its arrays cannot be read to hash them")
            }
            return evaluation.identified(by: hash)
        }

        let workspace = request.workspace
        let files = plan.pairs.map {
            EvaluationRecord.Context.CaseFiles(caseId: $0.caseId, reference: workspace.recordedName(for: $0.recordedLocation ?? .file($0.referenceFile)),
                                               prediction: workspace.recordedName(for: .file($0.predictionFile)))
        }
        var record = try EvaluationRecord(
            identity: .init(settings: settings, cases: cases, missingPredictions: plan.missingPredictions + plan.missingReferences, model: model,
                            gammaStatistics: request.gammaStatistics),
            context: .init(createdAt: ISO8601DateFormatter().string(from: started), tool: .current, datasetRevision: datasetRevision,
                           files: files, seconds: Date().timeIntervalSince(started), label: request.label))
        // The hash is over the identity only, so the maps' folder is known now and the context can list them.
        if staging != nil {
            let maps = stagedMaps.map { GammaMapFile(caseId: $0.key, path: GammaMapFile.path(caseId: $0.key, recordHash: record.hash), sha256: $0.value) }
            let context = record.context
            record = try record.with(context: .init(createdAt: context.createdAt, tool: context.tool, datasetRevision: context.datasetRevision,
                                                    files: context.files, seconds: context.seconds, label: context.label, gammaMaps: maps))
        }
        guard request.selection != nil || request.record || request.saveGammaMaps else {
            return EvaluateOutcome(record: record, plan: plan, recordFile: nil, alreadyRecorded: false)
        }
        let lock = try workspace.lock(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        // Same identity, same name: an evaluation already recorded is not written twice.
        if workspace.exists(record.fileName) {
            guard let staging else { return EvaluateOutcome(record: record, plan: plan, recordFile: record.fileName, alreadyRecorded: true) }
            let (stored, outcome) = try restoreMissingMaps(of: record.fileName, staging: staging, staged: stagedMaps, in: workspace)
            return EvaluateOutcome(record: stored, plan: plan, recordFile: record.fileName, alreadyRecorded: true, gammaMaps: outcome)
        }
        // Maps first, then the record: a crash in between leaves maps no record names (replaced
        // when the evaluation is recorded again), never a record naming missing maps.
        if let staging {
            for map in record.context.gammaMaps ?? [] { try workspace.publish(staged: "\(staging)/\(map.caseId).npz", as: map.path) }
        }
        try workspace.commit([(record.fileName, try record.bytes())])
        let saved = staging.map { _ in GammaMapFile.Outcome.written(folder: GammaMapFile.folder(recordHash: record.hash), count: stagedMaps.count) }
        return EvaluateOutcome(record: record, plan: plan, recordFile: record.fileName, alreadyRecorded: false, gammaMaps: saved)
    }

    /// An identical evaluation is recorded already, and a written record is never edited: the maps
    /// it lists that are missing are put back when the maps just computed have the listed bytes
    /// (the search is deterministic, so they normally do); a map that is there is left alone
    /// (`verify` judges it); a record that lists no maps gets none. Returns the stored record.
    private static func restoreMissingMaps(of fileName: String, staging: String, staged: [String: String],
                                           in workspace: Workspace) throws -> (EvaluationRecord, GammaMapFile.Outcome) {
        let stored = try EvaluationRecord.read(workspace.file(fileName))
        guard let listed = stored.context.gammaMaps else { return (stored, .notKept) }
        let folder = GammaMapFile.folder(recordHash: stored.hash) + "/"
        var restored: [String] = []
        for map in listed where map.isContained && map.path.hasPrefix(folder) && !workspace.exists(map.path) && staged[map.caseId] == map.sha256 {
            try workspace.publish(staged: "\(staging)/\(map.caseId).npz", as: map.path)
            restored.append(map.caseId)
        }
        return (stored, .restored(caseIds: restored, listed: listed.count))
    }
}

import Support
import DoseCase
import Foundation
import Lineage

/// Which model made the predictions an evaluation scored (evaluation records v3): the run that
/// trained it and the SHA-256 of the checkpoint file's bytes, each null when unknown
/// (predictions written by other tools).
public struct EvaluationModel: Sendable, Equatable, Codable {
    public let run: String?
    public let weightsSHA256: String?

    public init(run: String?, weightsSHA256: String?) { (self.run, self.weightsSHA256) = (run, weightsSHA256) }

    public static let unknown = EvaluationModel(run: nil, weightsSHA256: nil)

    /// Both keys always present: null says "unknown" in the record, not "not asked".
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(run, forKey: .run)
        try container.encode(weightsSHA256, forKey: .weightsSHA256)
    }

    /// The metadata `predict` writes into each prediction (`metadata["prediction"]`).
    public enum PredictionKey {
        public static let weightsSHA256 = "weights_sha256", run = "run_id"
    }

    /// The model behind `predictionFiles`. With `run`, the run must exist in `workspace` and the
    /// predictions that name weights must name one of its artifacts; the weights recorded are
    /// those, or the run's best checkpoint. Without it, the weights hash the predictions' metadata
    /// names, and the run whose result lists that checkpoint, when the workspace holds one.
    /// Predictions from different weights are refused: one record scores one model.
    public static func resolve(run: String?, predictionFiles: [String], in workspace: Workspace) throws -> EvaluationModel {
        var named: Set<String?> = []
        for file in predictionFiles {
            let provenance = (try? DoseCase.open(path: file))?.metadata?["prediction"]
            named.insert(provenance?[PredictionKey.weightsSHA256]?.asString)
        }
        guard named.count <= 1 else { throw EvaluationError.mixedWeights(hashes: named.map { $0 ?? "unknown" }.sorted()) }
        let weights = named.first ?? nil
        guard let run else {
            return EvaluationModel(run: weights.flatMap { runHolding($0, in: workspace) }, weightsSHA256: weights)
        }
        guard RunFiles.isRunId(run), workspace.exists(RunFiles.record(run)) else { throw EvaluationError.unknownRun(runId: run) }
        let artifacts = try runArtifacts(run, in: workspace)
        if let weights {
            guard artifacts.contains(where: { $0.sha256 == weights }) else {
                throw EvaluationError.weightsNotOfRun(runId: run, weightsSHA256: weights)
            }
            return EvaluationModel(run: run, weightsSHA256: weights)
        }
        let best = RunFiles.bestCheckpoint(run)
        guard workspace.exists(best) else { return EvaluationModel(run: run, weightsSHA256: nil) }
        return EvaluationModel(run: run, weightsSHA256: try RunArtifact.hash(workspace.file(best)).sha256)
    }

    /// The finished run whose result lists a checkpoint with these bytes; nil when none or several
    /// do. Only results are read: hashing every unfinished run's files on each evaluation would
    /// cost a read of every checkpoint in the workspace.
    private static func runHolding(_ weights: String, in workspace: Workspace) -> String? {
        let holders = workspace.files(in: RunFiles.folder).filter { run in
            guard workspace.exists(RunFiles.result(run)), let result = try? RunFiles.read(RunFiles.result(run), in: workspace) else { return false }
            return (RunResult.artifacts(in: result) ?? []).contains { $0.sha256 == weights }
        }
        return holders.count == 1 ? holders[0] : nil
    }

    /// The artifacts a run's result lists; a run still going (no result) is hashed as it stands.
    private static func runArtifacts(_ run: String, in workspace: Workspace) throws -> [RunArtifact] {
        if workspace.exists(RunFiles.result(run)), let listed = RunResult.artifacts(in: try RunFiles.read(RunFiles.result(run), in: workspace)) {
            return listed
        }
        return try RunArtifact.inventory(of: workspace.file(RunFiles.directory(run)))
    }
}

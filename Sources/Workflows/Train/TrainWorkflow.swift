import Support
import DoseCase
import Engine
import Evaluation
import Foundation
import Lineage

/// `dosecurate train`: BaselineUNet3D on the train cases of a locked split of a pinned dataset
/// version, validated on its val cases, never touching its test cases (issue 13).
///
/// Before any training the version and the split are checked: both records intact (their stored
/// hash is their content's), the split made for that version, every train/val case kept by the
/// version with the hash the split names (an excluded case is refused by name), every case file
/// still the bytes the version froze. Patches come from the workspace's training cache (HDF5,
/// built once per version and split revision). The run folder `runs/<id>/` gets `run.json`
/// before the first step, checkpoints and `metrics.csv` as it goes, `result.json` at the end;
/// `--resume` continues from the latest intact checkpoint and adds `resume-<n>.json`.
public struct TrainRequest: Sendable {
    public let workspace: Workspace
    public let dataset: String
    public let split: String
    public let configuration: TrainingConfiguration
    /// Nil: `run-<UTC time>-<preset>-seed<seed>`.
    public let runId: String?
    /// What the user calls the run (`--label`), kept in `run.json`.
    public let label: String?

    public init(workspace: Workspace, dataset: String, split: String, configuration: TrainingConfiguration, runId: String? = nil,
                label: String? = nil) {
        (self.workspace, self.dataset, self.split, self.configuration, self.runId, self.label) = (workspace, dataset, split, configuration, runId, label)
    }
}

public enum TrainProgress: Sendable {
    case verifying
    case buildingCache(String)
    case started(runId: String, resumes: Int)
    case training(TrainingEvent)
}

public struct TrainOutcome: Sendable {
    public let runId: String
    /// Workspace-relative.
    public let runDirectory: String
    public let cache: String
    public let cacheBuilt: Bool
    public let trainCases: [String], validationCases: [String]
    public let training: TrainingOutcome
    public let configuration: TrainingConfiguration
}

/// Why training was refused (the CLI's exit 2).
public enum TrainError: Error, Sendable, Equatable, CustomStringConvertible {
    case unpinned(path: String)
    case noTrainingCases(split: String)
    case runExists(runId: String)
    case invalidRunId(String)
    case noRun(runId: String)
    case runFinished(runId: String)
    case splitMoved(runId: String, recorded: String, found: String)
    case unreadableRunConfig(path: String, reason: ErrorReason)

    public var description: String {
        switch self {
        case let .unpinned(path):
            "\(path) is a folder of files, not a dataset version: training uses audited, frozen data only. Run `dosecurate freeze \(path)`, lock a split, and pass the dsv-… id it prints"
        case let .noTrainingCases(split): "split \(split) assigns no case to train"
        case let .runExists(runId): "run \(runId) exists; a run folder is written once"
        case let .invalidRunId(text): "run id \(text): use letters, digits, '.', '_' and '-' (not starting with '.')"
        case let .noRun(runId): "no run \(runId) in this workspace (no \(RunFiles.record(runId)))"
        case let .runFinished(runId): "run \(runId) has finished (\(RunFiles.result(runId)) exists); start a new run instead"
        case let .splitMoved(runId, recorded, found):
            "run \(runId) trained on split revision with hash \(recorded.prefix(16))…, the workspace now has \(found.prefix(16))…"
        case let .unreadableRunConfig(path, reason): "\(path): config cannot be read back (\(reason))"
        }
    }
}

public enum TrainWorkflow {
    /// Starts a new run.
    public static func start(_ request: TrainRequest, progress: @escaping @Sendable (TrainProgress) -> Void = { _ in }) async throws -> TrainOutcome {
        let configuration = try request.configuration.validated()
        let space = request.workspace
        let runId = request.runId ?? defaultRunId(configuration)
        guard RunFiles.isRunId(runId) else { throw TrainError.invalidRunId(runId) }
        guard !space.exists(RunFiles.directory(runId)) else { throw TrainError.runExists(runId: runId) }
        progress(.verifying)
        let pinned = try await PinnedTraining.prepare(space, dataset: request.dataset, split: request.split,
                                                      resampling: try InPlaneResampling(factor: configuration.resample),
                                                      buildingCache: { progress(.buildingCache($0)) })
        let trainer = try pinned.trainer(configuration, runDirectory: space.file(RunFiles.directory(runId)))
        let record = RunRecord(
            runId: runId, datasetVersion: pinned.dataset.id, datasetRevision: pinned.dataset.revision, split: pinned.splitPin,
            engine: .builtIn(configuration: try JSONValue(encoding: configuration),
                             model: try modelDescription(configuration, channels: pinned.channels.count)),
            data: pinned.data, workspaceGit: GitState.of(directory: space.path), environment: environment(configuration), label: request.label)
        try RunFiles.write(try record.record(), to: RunFiles.record(runId), in: space)
        progress(.started(runId: runId, resumes: 0))
        return try finish(trainer, resume: false, runId: runId, pinned: pinned, configuration: configuration, space: space, progress: progress)
    }

    /// Continues a run from its latest intact checkpoint, with the configuration `run.json`
    /// recorded (only the thread count may change; it is recorded in `resume-<n>.json`).
    public static func resume(workspace space: Workspace, runId: String, threads: Int? = nil,
                              progress: @escaping @Sendable (TrainProgress) -> Void = { _ in }) async throws -> TrainOutcome {
        guard RunFiles.isRunId(runId) else { throw TrainError.invalidRunId(runId) }
        guard space.exists(RunFiles.record(runId)) else { throw TrainError.noRun(runId: runId) }
        guard !space.exists(RunFiles.result(runId)) else { throw TrainError.runFinished(runId: runId) }
        let recordPath = space.file(RunFiles.record(runId))
        let pins = try RunRecord.pins(of: runId, in: space)
        guard let recorded = pins.config else {
            throw TrainError.unreadableRunConfig(path: recordPath, reason: "the run was trained by an external engine (dosecurate run); resume it there")
        }
        var configuration: TrainingConfiguration
        do { configuration = try recorded.decode(TrainingConfiguration.self) } catch {
            throw TrainError.unreadableRunConfig(path: recordPath, reason: .cause(error))
        }
        if let threads { configuration.threads = threads }
        configuration = try configuration.validated()
        progress(.verifying)
        let pinned = try await PinnedTraining.prepare(space, dataset: pins.dataset, split: pins.split.reference,
                                                      resampling: try InPlaneResampling(factor: configuration.resample),
                                                      buildingCache: { progress(.buildingCache($0)) })
        guard pinned.split.envelope.storedHash == pins.split.hash else {
            throw TrainError.splitMoved(runId: runId, recorded: pins.split.hash, found: pinned.split.envelope.storedHash)
        }
        let trainer = try pinned.trainer(configuration, runDirectory: space.file(RunFiles.directory(runId)))
        let number = RunFiles.resumeCount(runId, in: space) + 1
        progress(.started(runId: runId, resumes: number))
        var written: Error?
        let outcome = try finish(trainer, resume: true, runId: runId, pinned: pinned, configuration: configuration, space: space) { event in
            if case let .training(.resumed(epoch, checkpoint)) = event {
                do {
                    let resume = RunResume(runId: runId, number: number, fromEpoch: epoch, checkpoint: checkpoint,
                                           workspaceGit: GitState.of(directory: space.path), environment: environment(configuration))
                    try RunFiles.write(try resume.record(), to: RunFiles.resume(runId, number), in: space)
                } catch { written = error }
            }
            progress(event)
        }
        if let written { throw written }
        return outcome
    }

    private static func finish(_ trainer: Trainer, resume: Bool, runId: String, pinned: PinnedTraining, configuration: TrainingConfiguration,
                               space: Workspace, progress: (TrainProgress) -> Void) throws -> TrainOutcome {
        let started = Date()
        let outcome = try trainer.run(resume: resume) { progress(.training($0)) }
        let best: JSONValue = outcome.bestEpoch.map { epoch in
            .object(["checkpoint": .string(outcome.bestCheckpoint ?? ""), "epoch": .int(Int64(epoch)),
                     "metric": .string(configuration.selectionMetric.rawValue), "value": outcome.bestValue.map(JSONValue.number) ?? .null])
        } ?? .null
        let training: JSONValue = .object([
            "epochsPlanned": .int(Int64(configuration.epochs)), "epochsCompleted": .int(Int64(outcome.epochsCompleted)),
            "stoppedEarly": .bool(outcome.stoppedEarly), "best": best, "lastCheckpoint": .string(outcome.lastCheckpoint),
            "finalTrainLoss": outcome.finalTrainLoss.map(JSONValue.number) ?? .null,
            "resumes": .int(Int64(RunFiles.resumeCount(runId, in: space))),
        ])
        // The built-in engine's runs list their artifacts too, so verify holds their checkpoints.
        let result = RunResult(runId: runId, status: .succeeded, exitCode: 0,
                               artifacts: try RunArtifact.inventory(of: space.file(RunFiles.directory(runId))), training: training,
                               startedAt: started, finishedAt: Date(),
                               times: ["training": outcome.trainingSeconds, "validation": outcome.validationSeconds])
        try RunFiles.write(try result.record(), to: RunFiles.result(runId), in: space)
        return TrainOutcome(runId: runId, runDirectory: RunFiles.directory(runId), cache: pinned.cache, cacheBuilt: pinned.cacheBuilt,
                            trainCases: pinned.train, validationCases: pinned.validation, training: outcome, configuration: configuration)
    }

    // MARK: - Record parts

    static func defaultRunId(_ configuration: TrainingConfiguration) -> String {
        RunFiles.defaultRunId(describing: "\(configuration.preset.rawValue)-seed\(configuration.seed)")
    }

    private static func environment(_ configuration: TrainingConfiguration) -> RunEnvironment {
        let blas = (try? CPUBackend(threads: configuration.threads).summary) ?? "unknown"
        return RunEnvironment.current(blas: blas, threads: configuration.threads)
    }

    private static func modelDescription(_ configuration: TrainingConfiguration, channels: Int) throws -> JSONValue {
        let model = try UNetConfiguration(preset: configuration.preset, depth: configuration.depth, inputChannels: channels)
        return .object(["architecture": .string("BaselineUNet3D"), "preset": .string(configuration.preset.rawValue),
                        "baseWidth": .int(Int64(model.baseWidth)), "depth": .int(Int64(model.depth)),
                        "inputChannels": .int(Int64(model.inputChannels)), "parameters": .int(Int64(model.parameterCount))])
    }
}

extension TrainError: CodedError {
    public var code: String {
        switch self {
        case .unpinned: "train.unpinned"
        case .noTrainingCases: "train.no_training_cases"
        case .runExists: "train.run_exists"
        case .invalidRunId: "train.invalid_run_id"
        case .noRun: "train.no_run"
        case .runFinished: "train.run_finished"
        case .splitMoved: "train.split_moved"
        case .unreadableRunConfig: "train.unreadable_run_config"
        }
    }
}

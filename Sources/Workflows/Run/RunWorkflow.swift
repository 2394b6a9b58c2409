import Support
import Engine
import Foundation
import Lineage

/// `dosecurate run -- COMMAND`: an external engine (PyTorch, `torchrun`, a SLURM job step)
/// trains on a pinned version and split, and its run is recorded and hashed as the built-in
/// engine's are (issue 25).
///
/// Before the command starts: the same checks as `train` (records intact, the split made for the
/// version, no excluded case in train/val, every train/val case file the bytes the version froze),
/// the workspace's training cache built or reused, and `runs/<id>/run.json` written. The command
/// then runs with the `DOSECURATE_*` variables set, its output shown and kept in `log.txt`; when
/// it ends, `result.json` records how, with every file it wrote under the run folder hashed.
public struct RunRequest: Sendable {
    public let workspace: Workspace
    public let dataset: String
    public let split: String
    /// The command and its arguments, run from `directory`.
    public let command: [String]
    public let directory: String
    /// Nil: `run-<UTC time>-<command name>`.
    public let runId: String?
    public let label: String?
    /// In-plane resampling of the training cache (1 = native).
    public let resample: Int
    /// `run --config`: settings recorded in run.json and handed to the command as JSON.
    public let settings: [String: JSONValue]?

    public init(workspace: Workspace, dataset: String, split: String, command: [String],
                directory: String = FileManager.default.currentDirectoryPath, runId: String? = nil, label: String? = nil, resample: Int = 1,
                settings: [String: JSONValue]? = nil) {
        (self.workspace, self.dataset, self.split, self.command, self.directory) = (workspace, dataset, split, command, directory)
        (self.runId, self.label, self.resample, self.settings) = (runId, label, resample, settings)
    }
}

public enum RunProgress: Sendable {
    case verifying
    case buildingCache(String)
    /// The command is about to start, with these variables added to its environment.
    case started(runId: String, variables: [String: String])
}

public struct RunOutcome: Sendable {
    public let runId: String
    /// Workspace-relative.
    public let runDirectory: String
    public let status: RunResult.Status
    public let exitCode: Int32
    public let artifacts: [RunArtifact]
    public let cacheBuilt: Bool
}

/// Why `dosecurate run` did not start the command (the CLI's exit 2).
public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    case noCommand
    case commandNotFound(String)
    case cannotStart(command: String, reason: String)
    case runExists(runId: String)

    public var description: String {
        switch self {
        case .noCommand: "no command to run"
        case let .commandNotFound(name): "\(name): no such command (not a file, and not found on PATH)"
        case let .cannotStart(command, reason): "\(command) could not be started: \(reason)"
        case let .runExists(runId): "run \(runId) exists; a run folder is written once"
        }
    }
}

public enum RunWorkflow {
    /// The variables the command finds in its environment.
    public enum Variable {
        public static let workspace = "DOSECURATE_WORKSPACE", runDirectory = "DOSECURATE_RUN_DIR", trainCache = "DOSECURATE_TRAIN_CACHE"
        public static let dataset = "DOSECURATE_DATASET", split = "DOSECURATE_SPLIT"
        /// With `run --config`: `runs/<id>/settings.json`, the file's settings as JSON (an artifact).
        public static let config = "DOSECURATE_CONFIG"
    }

    /// Where `run --config` settings are handed to the command, inside the run folder.
    public static let settingsFile = "settings.json"

    public static func run(_ request: RunRequest, progress: @escaping @Sendable (RunProgress) -> Void = { _ in }) async throws -> RunOutcome {
        let space = request.workspace
        let runId = request.runId ?? defaultRunId(request.command)
        guard RunFiles.isRunId(runId) else { throw TrainError.invalidRunId(runId) }
        guard !space.exists(RunFiles.directory(runId)) else { throw RunError.runExists(runId: runId) }
        var child = try ChildProcess(command: request.command, environment: ProcessInfo.processInfo.environment)
        progress(.verifying)
        let pinned = try await PinnedTraining.prepare(space, dataset: request.dataset, split: request.split,
                                                      resampling: try InPlaneResampling(factor: request.resample),
                                                      buildingCache: { progress(.buildingCache($0)) })

        let record = RunRecord(runId: runId, datasetVersion: pinned.dataset.id, datasetRevision: pinned.dataset.revision, split: pinned.splitPin,
                               engine: .external(command: request.command, directory: request.directory,
                                                 commit: GitState.of(directory: request.directory), settings: request.settings.map(JSONValue.object)),
                               data: pinned.data, workspaceGit: GitState.of(directory: space.path), environment: .current(), label: request.label)
        try RunFiles.write(try record.record(), to: RunFiles.record(runId), in: space)

        var variables = [
            Variable.workspace: space.path, Variable.runDirectory: space.file(RunFiles.directory(runId)),
            Variable.trainCache: space.file(pinned.cache), Variable.dataset: pinned.dataset.reference, Variable.split: pinned.split.reference,
        ]
        if let settings = request.settings {
            let file = "\(RunFiles.directory(runId))/\(settingsFile)"
            try RunFiles.write(JSONValue.object(settings).prettyUTF8, to: file, in: space)
            variables[Variable.config] = space.file(file)
        }
        child = child.adding(variables)
        progress(.started(runId: runId, variables: variables))
        let started = Date()
        let termination: ChildProcess.Termination
        do {
            termination = try child.run(log: space.file(RunFiles.log(runId)))
        } catch {
            // The run folder says the command never ran, rather than looking like a run in progress.
            try finish(runId, in: space, status: .failed, exitCode: 127, signal: nil, started: started)
            throw error
        }
        let status: RunResult.Status = termination.forwardedSignal != nil || [SIGINT, SIGTERM].contains(termination.signal ?? 0)
            ? .interrupted : termination.exitCode == 0 ? .succeeded : .failed
        let artifacts = try finish(runId, in: space, status: status, exitCode: termination.exitCode, signal: termination.signal, started: started)
        return RunOutcome(runId: runId, runDirectory: RunFiles.directory(runId), status: status, exitCode: termination.exitCode,
                          artifacts: artifacts, cacheBuilt: pinned.cacheBuilt)
    }

    @discardableResult
    private static func finish(_ runId: String, in space: Workspace, status: RunResult.Status, exitCode: Int32, signal: Int32?,
                               started: Date) throws -> [RunArtifact] {
        let artifacts = try RunArtifact.inventory(of: space.file(RunFiles.directory(runId)))
        let result = RunResult(runId: runId, status: status, exitCode: exitCode, signal: signal, artifacts: artifacts,
                               startedAt: started, finishedAt: Date())
        try RunFiles.write(try result.record(), to: RunFiles.result(runId), in: space)
        return artifacts
    }

    static func defaultRunId(_ command: [String]) -> String {
        let name = String(((command.first ?? "command") as NSString).lastPathComponent.filter { $0.isLetter || $0.isNumber || "._-".contains($0) })
        return RunFiles.defaultRunId(describing: name.isEmpty ? "command" : name)
    }
}

extension RunError: CodedError {
    public var code: String {
        switch self {
        case .noCommand: "run.no_command"
        case .commandNotFound: "run.command_not_found"
        case .cannotStart: "run.cannot_start"
        case .runExists: "run.run_exists"
        }
    }
}

import Support
import Foundation

/// `result.json` (schema `dosecurate/run-result/2`): written once, when a run ends. Its identity
/// holds how it ended (status, exit code) and every artifact with its hash; for the built-in
/// engine also the training outcome (epochs, best checkpoint). The context holds the times.
public struct RunResult: Sendable {
    public static let schemaName = "dosecurate/run-result/2"

    public enum Status: String, Sendable, Equatable {
        case succeeded, failed, interrupted
    }

    public let runId: String
    public let status: Status
    /// The command's exit status; a command killed by a signal is 128 + the signal, as shells say.
    public let exitCode: Int32
    /// The signal that ended the command, when one did.
    public let signal: Int32?
    public let artifacts: [RunArtifact]
    /// The built-in engine's outcome (`epochsCompleted`, `best`, …); nil for an external engine.
    public let training: JSONValue?
    public let startedAt: Date, finishedAt: Date
    /// More timings (the built-in engine's training and validation seconds).
    public let times: [String: Double]

    public init(runId: String, status: Status, exitCode: Int32, signal: Int32? = nil, artifacts: [RunArtifact], training: JSONValue? = nil,
                startedAt: Date, finishedAt: Date, times: [String: Double] = [:]) {
        (self.runId, self.status, self.exitCode, self.signal, self.artifacts) = (runId, status, exitCode, signal, artifacts)
        (self.training, self.startedAt, self.finishedAt, self.times) = (training, startedAt, finishedAt, times)
    }

    public func record() throws -> FlatRecord {
        var identity: [String: JSONValue] = [
            "schema": .string(Self.schemaName), "runId": .string(runId), "status": .string(status.rawValue),
            "exitCode": .int(Int64(exitCode)), "signal": signal.map { .int(Int64($0)) } ?? .null,
            "artifacts": .array(artifacts.map(\.json)),
        ]
        if let training { identity["training"] = training }
        let formatter = ISO8601DateFormatter()
        var seconds = times.mapValues(JSONValue.number)
        seconds["wall"] = .number(finishedAt.timeIntervalSince(startedAt))
        return try FlatRecord(identity: .object(identity), context: .object([
            "startedAt": .string(formatter.string(from: startedAt)), "finishedAt": .string(formatter.string(from: finishedAt)),
            "seconds": .object(seconds), "tool": ToolBuild.json,
        ]))
    }

    /// The artifacts a stored `result.json` lists; nil when it lists none it can be held to
    /// (a `dosecurate/run-result/1` record, written before results hashed their artifacts).
    public static func artifacts(in record: JSONValue) -> [RunArtifact]? {
        guard record["schema"]?.stringValue == schemaName else { return nil }
        return record["artifacts"]?.arrayValue?.compactMap(RunArtifact.init)
    }
}

/// `resume-<n>.json` (schema `dosecurate/run-resume/2`): one per resume of a built-in run.
public struct RunResume: Sendable {
    public static let schemaName = "dosecurate/run-resume/2"

    public let runId: String
    public let number: Int
    public let fromEpoch: Int
    /// The checkpoint resumed from, relative to the run folder.
    public let checkpoint: String?
    public let workspaceGit: GitState?
    public let environment: RunEnvironment

    public init(runId: String, number: Int, fromEpoch: Int, checkpoint: String?, workspaceGit: GitState?, environment: RunEnvironment) {
        (self.runId, self.number, self.fromEpoch, self.checkpoint) = (runId, number, fromEpoch, checkpoint)
        (self.workspaceGit, self.environment) = (workspaceGit, environment)
    }

    public func record() throws -> FlatRecord {
        try FlatRecord(identity: JSONValue.object([
            "schema": .string(Self.schemaName), "runId": .string(runId), "resume": .int(Int64(number)),
            "fromEpoch": .int(Int64(fromEpoch)), "checkpoint": checkpoint.map(JSONValue.string) ?? .null,
        ]), context: JSONValue.object([
            "resumedAt": .string(RunFiles.timestamp), "tool": ToolBuild.json, "workspace": GitState.json(workspaceGit),
            "environment": environment.json,
        ]))
    }
}

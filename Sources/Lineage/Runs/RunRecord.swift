import Support
import Foundation

/// `run.json` (schema `dosecurate/run/2`): written once, before a run starts. A `FlatRecord`:
/// its identity (hashed) is what the run asserts — the run id, the pinned dataset revision and
/// split, the engine and, for the built-in engine, every training setting and the model; the
/// cases the training cache holds. Its `context` (not hashed) holds the time, the label, the tool
/// build, the workspace's git state, the machine, the cache's path and, for an external engine,
/// the folder the command ran in and that folder's git commit.
public struct RunRecord: Sendable {
    public static let schemaName = "dosecurate/run/2"
    /// Written before run records had an identity part; still read (`list`, `status`, `--resume`).
    static let firstSchemaName = "dosecurate/run/1"

    public struct Split: Sendable, Equatable {
        public let name: String, revision: Int, hash: String
        public init(name: String, revision: Int, hash: String) { (self.name, self.revision, self.hash) = (name, revision, hash) }
        public var reference: String { "\(name)@\(revision)" }
        var json: JSONValue { .object(["name": .string(name), "revision": .int(Int64(revision)), "hash": .string(hash)]) }
    }

    /// Who trains: dosecurate's own engine, or a command (`dosecurate run -- COMMAND`).
    public enum Engine: Sendable, Equatable {
        /// `configuration` is every setting (the seed included); `model` what its preset means.
        case builtIn(configuration: JSONValue, model: JSONValue)
        /// `directory` is where the command ran; `commit` the git state of the repository holding it;
        /// `settings` the object of `run --config`, when given (identity: the run asserts it).
        case external(command: [String], directory: String, commit: GitState?, settings: JSONValue? = nil)
    }

    /// The cases the training cache holds.
    public struct Data: Sendable {
        /// The training cache, workspace-relative.
        public let cache: String
        public let channels: [String]
        public let trainCases: [String], validationCases: [String]
        /// Channels a case lacked, filled with 0 (the v2.4 convention), by case id.
        public let filledChannels: [String: [String]]

        public init(cache: String, channels: [String], trainCases: [String], validationCases: [String], filledChannels: [String: [String]]) {
            (self.cache, self.channels, self.trainCases, self.validationCases, self.filledChannels) = (cache, channels, trainCases, validationCases, filledChannels)
        }
    }

    public let runId: String
    public let datasetVersion: String, datasetRevision: Int
    public let split: Split
    public let engine: Engine
    public let data: Data
    public let workspaceGit: GitState?
    public let environment: RunEnvironment
    public let label: String?

    public init(runId: String, datasetVersion: String, datasetRevision: Int, split: Split, engine: Engine, data: Data, workspaceGit: GitState?,
                environment: RunEnvironment, label: String? = nil) {
        (self.runId, self.datasetVersion, self.datasetRevision, self.split) = (runId, datasetVersion, datasetRevision, split)
        (self.engine, self.data, self.workspaceGit, self.environment, self.label) = (engine, data, workspaceGit, environment, label)
    }

    /// The record, stamped now.
    public func record() throws -> FlatRecord {
        var identity: [String: JSONValue] = [
            "schema": .string(Self.schemaName),
            "runId": .string(runId),
            "datasetVersion": .string(datasetVersion),
            "datasetRevision": .int(Int64(datasetRevision)),
            "split": split.json,
            "data": .object([
                "channels": .array(data.channels.map(JSONValue.string)),
                "trainCases": .array(data.trainCases.map(JSONValue.string)),
                "validationCases": .array(data.validationCases.map(JSONValue.string)),
                "filledChannels": .object(data.filledChannels.mapValues { .array($0.map(JSONValue.string)) }),
            ]),
        ]
        var context: [String: JSONValue] = [
            "createdAt": .string(RunFiles.timestamp),
            "tool": ToolBuild.json,
            "workspace": GitState.json(workspaceGit),
            "environment": environment.json,
            "cache": .string(data.cache),
        ]
        switch engine {
        case let .builtIn(configuration, model):
            identity["engine"] = .object(["kind": .string("dosecurate")])
            identity["config"] = configuration
            identity["model"] = model
        case let .external(command, directory, commit, settings):
            var engine: [String: JSONValue] = ["kind": .string("external"), "command": .array(command.map(JSONValue.string))]
            if let settings { engine["settings"] = settings }
            identity["engine"] = .object(engine)
            context["engine"] = .object(["directory": .string(directory), "commit": GitState.json(commit)])
        }
        if let label { context["label"] = .string(label) }
        return try FlatRecord(identity: .object(identity), context: .object(context))
    }

    /// What later steps need back from a `run.json` of either schema.
    public struct Pins: Sendable {
        public let runId: String
        public let datasetVersion: String, datasetRevision: Int
        public let split: Split
        /// The built-in engine's configuration; nil for an external engine.
        public let config: JSONValue?
        public let createdAt: String?
        public let label: String?
        public var dataset: String { "\(datasetVersion)@\(datasetRevision)" }
    }

    /// Reads the pins of a `run.json`; a `dosecurate/run/2` record must still hash to its stored
    /// hash (a resume or an evaluation must not trust an edited record).
    public static func pins(of bytes: [UInt8], path: String) throws -> Pins {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw LineageError.invalidRecord(path: path, reason: .cause(error)) }
        let identity: JSONValue, context: JSONValue
        switch value["schema"]?.stringValue {
        case schemaName:
            let flat = try FlatRecord.read(bytes, path: path)
            guard flat.computedHash == flat.storedHash else {
                throw LineageError.invalidRecord(path: path, reason: "its identity hashes to \(flat.computedHash.prefix(16))…, the record says \(flat.storedHash.prefix(16))… (edited?)")
            }
            (identity, context) = (flat.identity, flat.context)
        case firstSchemaName:
            (identity, context) = (value, value)
        case let other:
            throw LineageError.invalidRecord(path: path, reason: "schema \(other ?? "missing"), expected \(schemaName)")
        }
        guard let runId = identity["runId"]?.stringValue, let dataset = identity["datasetVersion"]?.stringValue,
              let revision = identity["datasetRevision"]?.intValue, let name = identity["split"]?["name"]?.stringValue,
              let splitRevision = identity["split"]?["revision"]?.intValue, let hash = identity["split"]?["hash"]?.stringValue else {
            throw LineageError.invalidRecord(path: path, reason: "expected runId, datasetVersion, datasetRevision and split {name, revision, hash}")
        }
        return Pins(runId: runId, datasetVersion: dataset, datasetRevision: revision, split: Split(name: name, revision: splitRevision, hash: hash),
                    config: identity["config"], createdAt: context["createdAt"]?.stringValue, label: context["label"]?.stringValue)
    }

    /// The pins of run `runId` in `workspace`.
    public static func pins(of runId: String, in workspace: Workspace) throws -> Pins {
        try pins(of: try workspace.read(RunFiles.record(runId)), path: workspace.file(RunFiles.record(runId)))
    }
}

extension ToolBuild {
    /// The running build, as run records name it.
    static var json: JSONValue {
        .object(["name": .string(current.name), "version": .string(current.version), "commit": commit.map(JSONValue.string) ?? .null])
    }
}

import Support
import Foundation

/// The records of a training run (DESIGN.md, "The workspace"), each written once:
///
///     runs/<id>/run.json        at the start: what the run trains on and how (`RunRecord`)
///     runs/<id>/resume-<n>.json one per resume (`RunResume`)
///     runs/<id>/result.json     at the end: the best checkpoint, epochs, times (`RunResult`)
///
/// Unlike dataset versions and splits these are not content-addressed: a run happens once, at a
/// time, on a machine, and its record says so. They are stored pretty-printed, like every record.
public enum RunFiles {
    public static let folder = "runs"
    public static func directory(_ runId: String) -> String { "\(folder)/\(runId)" }
    public static func record(_ runId: String) -> String { "\(directory(runId))/run.json" }
    public static func result(_ runId: String) -> String { "\(directory(runId))/result.json" }
    public static func resume(_ runId: String, _ number: Int) -> String { "\(directory(runId))/resume-\(number).json" }

    /// The files of a run folder that are records (DESIGN "Run folders"): `run.json`,
    /// `result.json` and `resume-<n>.json`. Everything else there (metrics, checkpoints,
    /// predictions, logs) is an artifact.
    public static func isRecordName(_ file: String) -> Bool {
        if file == "run.json" || file == "result.json" { return true }
        guard file.hasPrefix("resume-"), file.hasSuffix(".json") else { return false }
        let number = file.dropFirst(7).dropLast(5)
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
    }

    /// Run ids are folder names: letters, digits, `.`, `_`, `-`, not starting with `.`.
    public static func isRunId(_ text: String) -> Bool { SplitRevision.isName(text) }

    /// Resumes recorded so far.
    public static func resumeCount(_ runId: String, in workspace: Workspace) -> Int {
        workspace.files(in: directory(runId)).filter { $0.hasPrefix("resume-") && $0.hasSuffix(".json") }.count
    }

    /// Publishes one record file; refuses to replace one that exists (records are never edited).
    public static func write(_ value: JSONValue, to name: String, in workspace: Workspace) throws {
        let lock = try workspace.lock(.exclusive)
        try withExtendedLifetime(lock) { try workspace.commit([(name, value.prettyUTF8)]) }
    }

    /// A run record file's JSON.
    public static func read(_ name: String, in workspace: Workspace) throws -> JSONValue {
        do {
            return try JSONValue.parse(try workspace.read(name))
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.invalidRecord(path: workspace.file(name), reason: "\(error)")
        }
    }
}

/// `run.json`: written once when a run starts.
public struct RunRecord: Sendable {
    public static let schemaName = "dosecurate/run/1"

    public struct Split: Sendable, Equatable {
        public let name: String, revision: Int, hash: String
        public init(name: String, revision: Int, hash: String) { (self.name, self.revision, self.hash) = (name, revision, hash) }
    }

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
    public let createdAt: String
    public let datasetVersion: String, datasetRevision: Int
    public let split: Split
    public let workspaceGit: GitState?
    public let config: JSONValue
    /// Preset, widths, parameter count: what the config's preset means.
    public let model: JSONValue
    public let data: Data
    public let environment: RunEnvironment
    public let label: String?

    public init(runId: String, createdAt: String, datasetVersion: String, datasetRevision: Int, split: Split, workspaceGit: GitState?,
                config: JSONValue, model: JSONValue, data: Data, environment: RunEnvironment, label: String? = nil) {
        self.label = label
        (self.runId, self.createdAt, self.datasetVersion, self.datasetRevision, self.split) = (runId, createdAt, datasetVersion, datasetRevision, split)
        (self.workspaceGit, self.config, self.model, self.data, self.environment) = (workspaceGit, config, model, data, environment)
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = [
            "schema": .string(Self.schemaName),
            "runId": .string(runId),
            "createdAt": .string(createdAt),
            "datasetVersion": .string(datasetVersion),
            "datasetRevision": .int(Int64(datasetRevision)),
            "split": .object(["name": .string(split.name), "revision": .int(Int64(split.revision)), "hash": .string(split.hash)]),
            "tool": .object(["name": .string(ToolBuild.current.name), "version": .string(ToolBuild.current.version),
                             "commit": ToolBuild.commit.map(JSONValue.string) ?? .null]),
            "workspace": workspaceGit.map { .object(["commit": $0.commit.map(JSONValue.string) ?? .null, "dirty": .bool($0.dirty)]) } ?? .null,
            "config": config,
            "model": model,
            "data": .object([
                "cache": .string(data.cache),
                "channels": .array(data.channels.map(JSONValue.string)),
                "trainCases": .array(data.trainCases.map(JSONValue.string)),
                "validationCases": .array(data.validationCases.map(JSONValue.string)),
                "filledChannels": .object(data.filledChannels.mapValues { .array($0.map(JSONValue.string)) }),
            ]),
            "environment": environment.json,
        ]
        if let label { members["label"] = .string(label) }
        return .object(members)
    }

    /// What a resume needs back from `run.json`: the pinned version and split, and the config.
    public struct Pins: Sendable {
        public let datasetVersion: String, datasetRevision: Int
        public let split: Split
        public let config: JSONValue
    }

    public static func pins(of record: JSONValue, path: String) throws -> Pins {
        guard record["schema"]?.stringValue == schemaName, let dataset = record["datasetVersion"]?.stringValue,
              let revision = record["datasetRevision"]?.intValue, let name = record["split"]?["name"]?.stringValue,
              let splitRevision = record["split"]?["revision"]?.intValue, let hash = record["split"]?["hash"]?.stringValue,
              let config = record["config"] else {
            throw LineageError.invalidRecord(path: path, reason: "expected a \(schemaName) record with datasetVersion, datasetRevision, split and config")
        }
        return Pins(datasetVersion: dataset, datasetRevision: revision, split: Split(name: name, revision: splitRevision, hash: hash), config: config)
    }
}

/// The machine a run (or a resume) ran on.
public struct RunEnvironment: Sendable, Equatable {
    public let swiftVersion: String
    public let os: String
    public let cpuModel: String
    public let cores: Int
    public let blas: String
    public let threads: Int

    /// This machine; `blas` is the engine backend's description of its BLAS.
    public static func current(blas: String, threads: Int) -> RunEnvironment {
        RunEnvironment(swiftVersion: compilerVersion, os: operatingSystem, cpuModel: cpuModelName,
                       cores: ProcessInfo.processInfo.activeProcessorCount, blas: blas, threads: threads)
    }

    public var json: JSONValue {
        .object(["swiftVersion": .string(swiftVersion), "os": .string(os), "cpuModel": .string(cpuModel), "cores": .int(Int64(cores)),
                 "blas": .string(blas), "threads": .int(Int64(threads))])
    }

    /// The compiler this build was made with (Swift has no run-time query for it).
    static var compilerVersion: String {
        #if compiler(>=6.3)
        "6.3 or later"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    static var operatingSystem: String {
        let release = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let pretty = release.split(separator: "\n").first { $0.hasPrefix("PRETTY_NAME=") }
            .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return [pretty, "kernel " + ProcessInfo.processInfo.operatingSystemVersionString].compactMap { $0 }.joined(separator: ", ")
    }

    static var cpuModelName: String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }
}

/// Where a folder stands in git: the checked-out commit and whether anything under the folder
/// differs from it (tracked changes, or untracked files git does not ignore), leaving out
/// `.dosecurate/` (the tool's cache, lock and journal: never inputs).
public struct GitState: Sendable, Equatable {
    public let commit: String?
    public let dirty: Bool

    /// Nil when `directory` is not inside a git work tree (or git is not installed).
    public static func of(directory: String) -> GitState? {
        guard let inside = git(["rev-parse", "--is-inside-work-tree"], in: directory), inside == "true" else { return nil }
        let commit = git(["rev-parse", "--verify", "--quiet", "HEAD"], in: directory)
        let status = git(["status", "--porcelain", "--", ".", ":(exclude).dosecurate"], in: directory) ?? ""
        return GitState(commit: commit.flatMap { $0.isEmpty ? nil : $0 }, dirty: !status.isEmpty)
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

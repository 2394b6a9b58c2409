import Support
import Foundation

/// The files of a run folder (DESIGN.md, "Run folders"), the records each written once:
///
///     runs/<id>/run.json        at the start: what the run trains on and how (`RunRecord`)
///     runs/<id>/resume-<n>.json one per resume of a built-in run (`RunResume`)
///     runs/<id>/result.json     at the end: status, exit code, the artifacts' hashes (`RunResult`)
///
/// Every other file there (checkpoints, metrics.csv, log.txt, predictions) is an artifact: the
/// result lists those present when the run ended with their sizes and SHA-256, and `verify`
/// re-hashes them. Unlike dataset versions, runs are not content-addressed: a run happens once,
/// at a time, on a machine; its records hash their identity part like every record.
public enum RunFiles {
    public static let folder = "runs"
    public static func directory(_ runId: String) -> String { "\(folder)/\(runId)" }
    public static func record(_ runId: String) -> String { "\(directory(runId))/run.json" }
    public static func result(_ runId: String) -> String { "\(directory(runId))/result.json" }
    public static func resume(_ runId: String, _ number: Int) -> String { "\(directory(runId))/resume-\(number).json" }
    /// The checkpoint `predict --run` and `evaluate --run` take: the built-in engine's best, and
    /// where `dosecurate_torch`'s example saves its own.
    public static func bestCheckpoint(_ runId: String) -> String { "\(directory(runId))/checkpoints/best.safetensors" }
    /// Where `predict --run` writes by default, and `evaluate --run` reads.
    public static func predictions(_ runId: String) -> String { "\(directory(runId))/predictions" }
    /// An external command's output, as it appeared on the terminal.
    public static func log(_ runId: String) -> String { "\(directory(runId))/log.txt" }

    /// The files of a run folder that are records: `run.json`, `result.json` and `resume-<n>.json`.
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
    public static func write(_ record: FlatRecord, to name: String, in workspace: Workspace) throws {
        try write(record.bytes, to: name, in: workspace)
    }

    /// A file of the run folder that is not a record (the settings handed to a command).
    public static func write(_ bytes: [UInt8], to name: String, in workspace: Workspace) throws {
        let lock = try workspace.lock(.exclusive)
        try withExtendedLifetime(lock) { try workspace.commit([(name, bytes)]) }
    }

    /// A run record file's JSON.
    public static func read(_ name: String, in workspace: Workspace) throws -> JSONValue {
        do {
            return try JSONValue.parse(try workspace.read(name))
        } catch let error as LineageError {
            throw error
        } catch {
            throw LineageError.invalidRecord(path: workspace.file(name), reason: .cause(error))
        }
    }

    static var timestamp: String { ISO8601DateFormatter().string(from: Date()) }

    /// `run-<UTC time>-<what>`: the id `train` and `run` give a run the user did not name.
    public static func defaultRunId(describing what: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "run-\(formatter.string(from: Date()))-\(what)"
    }
}

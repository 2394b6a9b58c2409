import Foundation
import Lineage

/// A comparison as `compare --record` writes it to `comparisons/<hash>.json` (schema
/// `dosecurate/comparison/1`), stored like an evaluation record: the identity members at top level
/// (the `EvaluationComparison`: the compared evaluations by hash per side, metrics, bootstrap
/// settings, alpha, every result), plus `hash` (SHA-256 of their canonical JSON) and `context`
/// (time, tool, the comparison's label, and where each evaluation was read from with its label;
/// not hashed). The file name is the first 16 hex digits of the hash.
public struct ComparisonRecord: Sendable, Equatable {
    public static let schemaName = EvaluationComparison.schemaName

    public struct Context: Sendable, Equatable, Codable {
        /// One compared evaluation: where it was read from and what the reader calls it.
        public struct Source: Sendable, Equatable, Codable {
            public let hash: String
            /// Relative to the workspace when inside it, else absolute.
            public let file: String
            /// The evaluation's label, else its run's.
            public let label: String?

            public init(hash: String, file: String, label: String?) {
                self.hash = hash
                self.file = file
                self.label = label
            }
        }

        public let createdAt: String
        public let tool: ToolBuild
        /// What the user called this comparison (`--label`); shown by `list`, never hashed.
        public let label: String?
        /// In the identity's order (by hash).
        public let a: [Source]
        public let b: [Source]

        public init(createdAt: String, tool: ToolBuild, label: String?, a: [Source], b: [Source]) {
            self.createdAt = createdAt
            self.tool = tool
            self.label = label
            self.a = a
            self.b = b
        }
    }

    public let identity: EvaluationComparison
    public let context: Context
    public let hash: String

    public init(identity: EvaluationComparison, context: Context) throws {
        self.identity = identity
        self.context = context
        hash = try FlatRecord(identity: identity, context: context).storedHash
    }

    /// The record of `comparison`, made from the inputs it compared; files are spelled as records
    /// spell paths (relative to `workspace` when inside it).
    public init(_ comparison: EvaluationComparison, a: [EvaluationComparison.Input], b: [EvaluationComparison.Input], label: String?,
                in workspace: Workspace, createdAt: Date = Date()) throws {
        func sources(_ inputs: [EvaluationComparison.Input]) -> [Context.Source] {
            EvaluationComparison.inHashOrder(inputs).map {
                Context.Source(hash: $0.record.hash, file: workspace.recordedName(for: .file($0.file)), label: $0.label)
            }
        }
        try self.init(identity: comparison, context: Context(createdAt: ISO8601DateFormatter().string(from: createdAt), tool: .current,
                                                             label: label, a: sources(a), b: sources(b)))
    }

    /// `comparisons/<first 16 hex digits of the hash>.json`.
    public var fileName: String { "\(RecordLookup.Kind.comparison.folder)/\(hash.prefix(16)).json" }

    /// Pretty-printed JSON with sorted keys and a final newline.
    public func bytes() throws -> [UInt8] { try FlatRecord(identity: identity, context: context).bytes }

    /// Reads a record file, checking that its identity still hashes to its stored hash.
    public static func read(_ path: String) throws -> ComparisonRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.notFound(path: path) }
        let flat: FlatRecord
        do { flat = try FlatRecord.read(Array(data), path: path) } catch {
            throw ComparisonError.unreadableRecord(path: path, reason: .cause(error))
        }
        guard flat.schema == schemaName else {
            throw ComparisonError.unreadableRecord(path: path, reason: "expected schema \(schemaName), found \(flat.schema ?? "none")")
        }
        guard flat.computedHash == flat.storedHash else {
            throw ComparisonError.editedRecord(path: path, storedHash: flat.storedHash)
        }
        do {
            return try ComparisonRecord(identity: flat.identity.decode(EvaluationComparison.self), context: flat.context.decode(Context.self))
        } catch {
            throw ComparisonError.unreadableRecord(path: path, reason: .cause(error))
        }
    }

    /// The record file `argument` names: a path (or one relative to the workspace), or the first
    /// hex digits of a record's hash in the workspace's `comparisons/`.
    public static func file(named argument: String, in workspace: Workspace) throws -> String {
        if let path = [argument, workspace.file(argument)].first(where: { FileManager.default.fileExists(atPath: $0) }) { return path }
        return workspace.file(try RecordLookup.unique(prefix: argument, among: [.comparison], in: workspace).file)
    }

    /// Publishes the record in `workspace` unless an identical one is there (same identity, same
    /// name; a written record is never edited, so its context stays as first written). Every
    /// evaluation it compares must be a record of the workspace, as `verify` demands. Returns
    /// whether it was written.
    public func commit(to workspace: Workspace) throws -> Bool {
        for source in context.a + context.b {
            let evaluation = "\(RecordLookup.Kind.evaluation.folder)/\(source.hash.prefix(16)).json"
            guard (try? EvaluationRecord.read(workspace.file(evaluation)))?.hash == source.hash else {
                throw ComparisonError.evaluationNotInWorkspace(hash: source.hash, file: source.file)
            }
        }
        let lock = try workspace.lock(.exclusive)
        defer { withExtendedLifetime(lock) {} }
        guard !workspace.exists(fileName) else { return false }
        try workspace.commit([(fileName, try bytes())])
        return true
    }
}

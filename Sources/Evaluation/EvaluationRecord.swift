import DoseCase
import Foundation
import Lineage
import NumpyFormat

/// An evaluation as written to `evaluations/<hash>.json` (schema `dosecurate/evaluation/3`): what
/// was compared, how, by which model, and every number, so a published number traces to audited
/// data and to the weights that made the predictions. Version 2 records (no `model`, no
/// `gammaStatistics`) are still read; version 1 (before acceptance protocols) is refused.
///
/// The file is one canonical JSON object: the identity members (`schema`, `settings`, `cases`,
/// `missingPredictions`, `aggregate`) at top level, as the evaluation JSON contract has them, plus
/// `hash` (SHA-256 of the canonical JSON of those members) and `context` (paths, time, tool;
/// not hashed). The file name is the first 16 hex digits of the hash.
public struct EvaluationRecord: Sendable, Equatable {
    public static let schemaName = "dosecurate/evaluation/3"
    static let readableSchemas: Set<String> = [schemaName, "dosecurate/evaluation/2"]

    /// Which gamma numbers a record holds: the full map's statistics, or the pass rate alone.
    public enum GammaStatistics: String, Sendable, Equatable, Codable, CaseIterable {
        case full
        case passRate = "pass-rate"
    }

    public struct Identity: Sendable, Equatable, Codable {
        public let schema: String
        public let settings: EvaluationSettings
        /// Sorted by case id.
        public let cases: [CaseEvaluation]
        public let missingPredictions: [String]
        public let aggregate: EvaluationAggregate
        /// Nil only in version 2 records.
        public let model: EvaluationModel?
        public let gammaStatistics: GammaStatistics?

        public init(settings: EvaluationSettings, cases: [CaseEvaluation], missingPredictions: [String], model: EvaluationModel = .unknown,
                    gammaStatistics: GammaStatistics = .full) {
            schema = EvaluationRecord.schemaName
            self.model = model
            self.gammaStatistics = gammaStatistics
            self.settings = settings
            self.cases = cases.sorted { $0.caseId < $1.caseId }
            self.missingPredictions = missingPredictions.sorted()
            aggregate = EvaluationAggregate(self.cases)
        }
    }

    public struct Context: Sendable, Equatable, Codable {
        public struct CaseFiles: Sendable, Equatable, Codable {
            public let caseId: String
            public let reference: String
            public let prediction: String

            public init(caseId: String, reference: String, prediction: String) {
                self.caseId = caseId
                self.reference = reference
                self.prediction = prediction
            }
        }

        public let createdAt: String
        public let tool: ToolBuild
        /// The dataset revision whose paths were read (`dsv-…@k`), when pinned.
        public let datasetRevision: String?
        public let files: [CaseFiles]
        public let seconds: Double
        /// What the user called this evaluation (`--label`); shown by `list`, never hashed.
        public let label: String?
        /// The gamma maps kept (`evaluate --save-gamma`), sorted by case id; absent when none were.
        /// In the context, not the identity: the folder holding them is named after the hash.
        public let gammaMaps: [GammaMapFile]?

        public init(createdAt: String, tool: ToolBuild, datasetRevision: String?, files: [CaseFiles], seconds: Double, label: String? = nil,
                    gammaMaps: [GammaMapFile]? = nil) {
            self.createdAt = createdAt
            self.tool = tool
            self.datasetRevision = datasetRevision
            self.files = files
            self.seconds = seconds
            self.label = label
            self.gammaMaps = gammaMaps?.sorted { $0.caseId < $1.caseId }
        }
    }

    public let identity: Identity
    public let context: Context
    public let hash: String

    public init(identity: Identity, context: Context) throws {
        self.identity = identity
        self.context = context
        hash = try FlatRecord(identity: identity, context: context).storedHash
    }

    /// `evaluations/<first 16 hex digits of the hash>.json`.
    public var fileName: String { "evaluations/\(hash.prefix(16)).json" }

    /// Canonical JSON with a final newline.
    public func bytes() throws -> [UInt8] { try FlatRecord(identity: identity, context: context).bytes }

    /// Reads a record file, checking that its identity still hashes to its stored hash.
    public static func read(_ path: String) throws -> EvaluationRecord {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError.notFound(path: path) }
        let flat: FlatRecord
        do { flat = try FlatRecord.read(Array(data), path: path) } catch {
            throw EvaluationError.unreadableRecord(path: path, reason: .cause(error))
        }
        guard let schema = flat.schema, readableSchemas.contains(schema) else {
            let hint = flat.schema == "dosecurate/evaluation/1" ? " (written before acceptance protocols existed: evaluate again)" : ""
            throw EvaluationError.unreadableRecord(path: path, reason: "expected schema \(schemaName), found \(flat.schema ?? "none")\(hint)")
        }
        guard flat.computedHash == flat.storedHash else {
            throw EvaluationError.editedRecord(path: path, storedHash: flat.storedHash)
        }
        return try EvaluationRecord(identity: flat.identity.decode(Identity.self), context: flat.context.decode(Context.self))
    }
}

extension EvaluationRecord {
    /// The same record with another context (the identity, and so the hash, unchanged).
    public func with(context: Context) throws -> EvaluationRecord { try EvaluationRecord(identity: identity, context: context) }

    /// A case's saved gamma map (`evaluate --save-gamma`), read back from `workspace` with its
    /// SHA-256 checked: float32 on the reference's full grid, NaN where γ was not evaluated.
    public func gammaMap(of caseId: String, in workspace: Workspace) throws -> Volume<Float> {
        guard let entry = context.gammaMaps?.first(where: { $0.caseId == caseId }) else {
            throw EvaluationError.gammaMapNotSaved(caseId: caseId, record: fileName)
        }
        guard entry.path.hasPrefix(GammaMapFile.folder(recordHash: hash) + "/") else {
            throw EvaluationError.gammaMapUnreadable(path: entry.path, reason: "not under \(GammaMapFile.folder(recordHash: hash))/, the folder of \(fileName)")
        }
        return try entry.read(in: workspace)
    }
}

extension EvaluationRecord {
    /// The record files `argument` names: a record file, a folder of them (every `.json` in it),
    /// either as a path or relative to the workspace (as `evaluate` prints it), or the first hex
    /// digits of a record's hash in the workspace's `evaluations/`.
    public static func files(named argument: String, in workspace: Workspace) throws -> [String] {
        var isDirectory: ObjCBool = false
        if let path = [argument, workspace.file(argument)].first(where: { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) }) {
            guard isDirectory.boolValue else { return [path] }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            let files = names.filter { $0.hasSuffix(".json") }.sorted().map { "\(path)/\($0)" }
            guard !files.isEmpty else { throw RecordLookupError.notFound(argument: argument, kinds: [.evaluation], searched: ["that folder (no .json file)"]) }
            return files
        }
        return [workspace.file(try RecordLookup.unique(prefix: argument, among: [.evaluation], in: workspace).file)]
    }
}

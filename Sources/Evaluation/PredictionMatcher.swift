import Audit
import DoseCase
import Foundation
import Lineage

/// Which prediction goes with which reference case. Predictions are `<caseId>_pred.npz` with key
/// `dose` (the format the existing PyTorch pipeline writes), matched by case id.
public struct EvaluationPlan: Sendable {
    public struct Pair: Sendable, Equatable {
        public let caseId: String
        public let referenceFile: String
        public let predictionFile: String
        /// The hash the reference was verified against (pinned); nil when unpinned, where the
        /// evaluation hashes the reference while it computes (`PredictionMatcher.caseHashes`).
        public let caseHash: String?
    }

    public let pairs: [Pair]
    /// Cases to evaluate that have no prediction (exit 1).
    public let missingPredictions: [String]
    /// Predictions whose case is not among the references (unpinned evaluations only; pinned ones refuse them).
    public let unmatchedPredictions: [String]
    /// Pinned cases with a prediction but no reference file among the references given (exit 1).
    public let missingReferences: [String]

    public init(pairs: [Pair], missingPredictions: [String], unmatchedPredictions: [String] = [], missingReferences: [String] = []) {
        self.pairs = pairs
        self.missingPredictions = missingPredictions
        self.unmatchedPredictions = unmatchedPredictions
        self.missingReferences = missingReferences
    }
}

/// Where the cases to evaluate are pinned: a dataset version, a split of it, one role.
public struct SplitSelection: Sendable {
    public let workspace: Workspace
    public let dataset: String
    public let split: String
    public let role: LockedSplit.Role

    public init(workspace: Workspace, dataset: String, split: String, role: LockedSplit.Role) {
        self.workspace = workspace
        self.dataset = dataset
        self.split = split
        self.role = role
    }
}

public enum PredictionMatcher {
    public static let predictionSuffix = "_pred.npz"

    /// Pairs every reference case (files or folders of `.npz`) with its prediction. With a single
    /// reference file and a single prediction file, the two are paired whatever their names.
    public static func plan(references: [String], predictions: String, cacheDirectory: String?,
                            workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws -> EvaluationPlan {
        let referenceFiles = try references.flatMap { try npzFiles(at: $0, predictions: false) }
        guard !referenceFiles.isEmpty else { throw EvaluationError.noReferenceCases(path: references.joined(separator: ", ")) }
        let cases = try caseIds(referenceFiles)
        if referenceFiles.count == 1, isFile(predictions), let only = cases.first {
            return EvaluationPlan(pairs: [.init(caseId: only.caseId, referenceFile: only.file, predictionFile: predictions, caseHash: nil)],
                                  missingPredictions: [], unmatchedPredictions: [])
        }
        let predictionFiles = try predictionsByCaseId(at: predictions)
        var pairs: [EvaluationPlan.Pair] = [], missing: [String] = []
        for reference in cases {
            if let prediction = predictionFiles[reference.caseId] {
                pairs.append(.init(caseId: reference.caseId, referenceFile: reference.file, predictionFile: prediction, caseHash: nil))
            } else {
                missing.append(reference.caseId)
            }
        }
        let known = Set(cases.map(\.caseId))
        return EvaluationPlan(pairs: pairs, missingPredictions: missing,
                              unmatchedPredictions: predictionFiles.keys.filter { !known.contains($0) }.sorted())
    }

    /// The cases `selection` assigns to its role, each reference verified against the hash the
    /// version froze; predictions for any other case are refused. References come from
    /// `references` when given, else from the paths the version's latest revision records.
    public static func plan(selection: SplitSelection, references: [String], predictions: String,
                            workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws
        -> (plan: EvaluationPlan, dataset: DatasetRevision, split: SplitRevision) {
        let workspace = selection.workspace
        let (dataset, split, assigned) = try resolve(selection)

        let predictionFiles = try predictionsByCaseId(at: predictions)
        let outside = predictionFiles.keys.filter { assigned[$0] == nil }.sorted()
        guard outside.isEmpty else {
            throw EvaluationError.predictionsOutsideRole(role: selection.role.rawValue, split: split.reference, caseIds: outside)
        }

        var pairs: [EvaluationPlan.Pair] = []
        var referenced: Set<String> = []
        if references.isEmpty {
            // The version's own files: each must still hold the case recorded for it, byte for byte.
            let recorded = dataset.dataset.context.files.filter { assigned[$0.caseId] != nil && predictionFiles[$0.caseId] != nil }
            let files = recorded.map { workspace.location(ofRecorded: $0.path).name }
            let hashes = try await caseHashes(files, cacheDirectory: workspace.cacheDirectory, workers: workers)
            for (entry, file) in zip(recorded, files) {
                guard let expected = assigned[entry.caseId], let prediction = predictionFiles[entry.caseId], !referenced.contains(entry.caseId) else { continue }
                guard hashes[file] == expected else {
                    throw EvaluationError.referenceChanged(caseId: entry.caseId, file: file, expected: expected, found: hashes[file] ?? "unreadable")
                }
                referenced.insert(entry.caseId)
                pairs.append(.init(caseId: entry.caseId, referenceFile: file, predictionFile: prediction, caseHash: expected))
            }
        } else {
            let candidates = try references.flatMap { try npzFiles(at: $0, predictions: false) }
            let references = try caseIds(candidates).filter { assigned[$0.caseId] != nil }
            let hashes = try await caseHashes(references.map(\.file), cacheDirectory: workspace.cacheDirectory, workers: workers)
            for reference in references {
                guard let expected = assigned[reference.caseId] else { continue }
                guard let found = hashes[reference.file] else {
                    throw EvaluationError.referenceUnreadable(file: reference.file, reason: "its arrays cannot be read to hash them")
                }
                guard found == expected else {
                    throw EvaluationError.referenceChanged(caseId: reference.caseId, file: reference.file, expected: expected, found: found)
                }
                referenced.insert(reference.caseId)
                if let prediction = predictionFiles[reference.caseId] {
                    pairs.append(.init(caseId: reference.caseId, referenceFile: reference.file, predictionFile: prediction, caseHash: expected))
                }
            }
        }
        let plan = EvaluationPlan(pairs: pairs, missingPredictions: assigned.keys.filter { predictionFiles[$0] == nil }.sorted(),
                                  missingReferences: predictionFiles.keys.filter { !referenced.contains($0) }.sorted())
        return (plan, dataset, split)
    }

    /// A case a pinned selection assigns to its role, in the version's own file, verified.
    public struct PinnedCase: Sendable, Equatable {
        public let caseId: String
        public let file: String
        public let caseHash: String
    }

    /// Every case `selection` assigns to its role, from the files the version's latest revision
    /// records, each verified byte for byte against the hash the version froze (a case whose file
    /// changed or went missing is refused, not skipped).
    public static func pinnedCases(selection: SplitSelection, workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws
        -> (cases: [PinnedCase], dataset: DatasetRevision, split: SplitRevision) {
        let (dataset, split, assigned) = try resolve(selection)
        var recorded: [(caseId: String, file: String)] = []
        for entry in dataset.dataset.context.files where assigned[entry.caseId] != nil && !recorded.contains(where: { $0.caseId == entry.caseId }) {
            recorded.append((entry.caseId, selection.workspace.location(ofRecorded: entry.path).name))
        }
        let hashes = try await caseHashes(recorded.map(\.file), cacheDirectory: selection.workspace.cacheDirectory, workers: workers)
        var cases: [PinnedCase] = []
        for (caseId, expected) in assigned.sorted(by: { $0.key < $1.key }) {
            guard let file = recorded.first(where: { $0.caseId == caseId })?.file else {
                throw EvaluationError.referenceUnreadable(file: caseId, reason: "the version records no file for this case")
            }
            guard hashes[file] == expected else {
                throw EvaluationError.referenceChanged(caseId: caseId, file: file, expected: expected, found: hashes[file] ?? "unreadable")
            }
            cases.append(PinnedCase(caseId: caseId, file: file, caseHash: expected))
        }
        return (cases, dataset, split)
    }

    /// The selection's version and split (the split must be of that version) and the case ids
    /// (with their frozen hashes) it assigns to the role.
    private static func resolve(_ selection: SplitSelection) throws -> (DatasetRevision, SplitRevision, [String: String]) {
        let dataset = try DatasetRevision.resolve(selection.dataset, in: selection.workspace)
        let split = try SplitRevision.resolve(selection.split, in: selection.workspace)
        guard split.identity.dataset == dataset.id else {
            throw EvaluationError.splitOfAnotherVersion(split: split.reference, splitVersion: split.identity.dataset, requested: dataset.id)
        }
        let assigned = Dictionary(split.identity.cases.filter { $0.role == selection.role }.map { ($0.caseId, $0.caseHash) },
                                  uniquingKeysWith: { first, _ in first })
        return (dataset, split, assigned)
    }

    // MARK: - Files

    private struct NamedReference {
        let file: String
        let caseId: String
    }

    /// The case hash of each file (through the hash cache); files that cannot be read are absent.
    public static func caseHashes(_ files: [String], cacheDirectory: String?, workers: Int) async throws -> [String: String] {
        let readings = await Auditor.identify(files.map { CaseLocation.file($0) }, workers: workers, cacheDirectory: cacheDirectory)
        var hashes: [String: String] = [:]
        for file in files {
            if case let .identified(identity)? = readings[.file(file)] { hashes[file] = identity.caseHash }
        }
        return hashes
    }

    /// Each reference's case id (from its metadata, nothing inflated), sorted by case id; two
    /// files with one case id are refused.
    private static func caseIds(_ files: [String]) throws -> [NamedReference] {
        var byCaseId: [String: [NamedReference]] = [:]
        for file in files {
            let opened: DoseCase
            do { opened = try DoseCase.open(path: file) } catch { throw EvaluationError.referenceUnreadable(file: file, reason: "\(error)") }
            byCaseId[opened.caseId, default: []].append(.init(file: file, caseId: opened.caseId))
        }
        if let clash = byCaseId.first(where: { $0.value.count > 1 }) {
            throw EvaluationError.duplicateCaseId(caseId: clash.key, files: clash.value.map(\.file).sorted())
        }
        return byCaseId.values.compactMap(\.first).sorted { $0.caseId < $1.caseId }
    }

    /// `<caseId>_pred.npz` files of a folder (or one such file), by case id.
    private static func predictionsByCaseId(at path: String) throws -> [String: String] {
        let files = try npzFiles(at: path, predictions: true)
        guard !files.isEmpty else { throw EvaluationError.noPredictions(path: path) }
        var byCaseId: [String: String] = [:]
        for file in files {
            let name = (file as NSString).lastPathComponent
            byCaseId[String(name.dropLast(predictionSuffix.count))] = file
        }
        return byCaseId
    }

    /// The `.npz` files at `path` (the file itself, or a folder searched recursively, sorted):
    /// predictions (`*_pred.npz`) or reference cases (every other `.npz`).
    public static func npzFiles(at path: String, predictions: Bool) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw EvaluationError.notFound(path: path) }
        guard isDirectory.boolValue else { return [path] }
        guard let walker = FileManager.default.enumerator(atPath: path) else { throw EvaluationError.notFound(path: path) }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".npz"), relative.hasSuffix(predictionSuffix) == predictions else { continue }
            found.append(path.hasSuffix("/") ? path + relative : "\(path)/\(relative)")
        }
        return found.sorted()
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

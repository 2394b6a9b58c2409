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
        /// Where the version records the reference (pinned): an archive member's reference file is
        /// its verified copy, and records name the member.
        public let recordedLocation: CaseLocation?

        public init(caseId: String, referenceFile: String, predictionFile: String, caseHash: String?, recordedLocation: CaseLocation? = nil) {
            self.caseId = caseId
            self.referenceFile = referenceFile
            self.predictionFile = predictionFile
            self.caseHash = caseHash
            self.recordedLocation = recordedLocation
        }
    }

    public let pairs: [Pair]
    /// Cases to evaluate that have no prediction (exit 1).
    public let missingPredictions: [String]
    /// Predictions whose case is not among the references (unpinned evaluations only; pinned ones refuse them).
    public let unmatchedPredictions: [String]
    /// Pinned cases with a prediction but no reference file among the references given (exit 1).
    public let missingReferences: [String]
    /// Predictions for cases the split does not assign to the role evaluated (pinned): set aside.
    public let ignoredPredictions: [String]
    /// Files in the predictions folder not named `<caseId>_pred.npz` (relative to it): not read.
    public let unrecognisedFiles: [String]

    public init(pairs: [Pair], missingPredictions: [String], unmatchedPredictions: [String] = [], missingReferences: [String] = [],
                ignoredPredictions: [String] = [], unrecognisedFiles: [String] = []) {
        self.pairs = pairs
        self.missingPredictions = missingPredictions
        self.unmatchedPredictions = unmatchedPredictions
        self.missingReferences = missingReferences
        self.ignoredPredictions = ignoredPredictions
        self.unrecognisedFiles = unrecognisedFiles
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
        let (predictionFiles, otherFiles) = try predictionsByCaseId(at: predictions)
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
                              unmatchedPredictions: predictionFiles.keys.filter { !known.contains($0) }.sorted(), unrecognisedFiles: otherFiles)
    }

    /// The cases `selection` assigns to its role, each reference verified against the hash the
    /// version froze (`PinnedSelection`). References are the version's own files unless
    /// `references` names others (then only the records are resolved, and each named file is
    /// verified). Predictions for cases outside the role are set aside in `ignoredPredictions`,
    /// or refused when `strict`.
    public static func plan(selection: SplitSelection, references: [String], predictions: String, strict: Bool = false,
                            workers: Int = ProcessInfo.processInfo.activeProcessorCount) async throws
        -> (plan: EvaluationPlan, dataset: DatasetRevision, split: SplitRevision) {
        let workspace = selection.workspace
        let (predictionFiles, otherFiles) = try predictionsByCaseId(at: predictions)
        // The version's own files: resolving verifies records and files in one pass. Named
        // references: only the records are resolved here, the files are verified below.
        let pinned = references.isEmpty ? try await selection.resolve(workers: workers) : nil
        let (dataset, split) = try pinned.map { ($0.dataset, $0.split) }
            ?? PinnedSelection.records(in: workspace, dataset: selection.dataset, split: selection.split)
        let assigned = Dictionary(split.identity.cases.filter { $0.role == selection.role }.map { ($0.caseId, $0.caseHash) },
                                  uniquingKeysWith: { first, _ in first })
        let outside = predictionFiles.keys.filter { assigned[$0] == nil }.sorted()
        if strict, !outside.isEmpty {
            throw EvaluationError.predictionsOutsideRole(role: selection.role.rawValue, split: split.reference, caseIds: outside)
        }

        var pairs: [EvaluationPlan.Pair] = []
        var referenced: Set<String> = []
        if let pinned {
            for entry in pinned.cases {
                referenced.insert(entry.caseId)
                if let prediction = predictionFiles[entry.caseId] {
                    pairs.append(.init(caseId: entry.caseId, referenceFile: entry.file, predictionFile: prediction, caseHash: entry.caseHash,
                                       recordedLocation: entry.location))
                }
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
                                  missingReferences: assigned.keys.filter { predictionFiles[$0] != nil && !referenced.contains($0) }.sorted(),
                                  ignoredPredictions: outside, unrecognisedFiles: otherFiles)
        return (plan, dataset, split)
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
            do { opened = try DoseCase.open(path: file) } catch { throw EvaluationError.referenceUnreadable(file: file, reason: .cause(error)) }
            byCaseId[opened.caseId, default: []].append(.init(file: file, caseId: opened.caseId))
        }
        if let clash = byCaseId.first(where: { $0.value.count > 1 }) {
            throw EvaluationError.duplicateCaseId(caseId: clash.key, files: clash.value.map(\.file).sorted())
        }
        return byCaseId.values.compactMap(\.first).sorted { $0.caseId < $1.caseId }
    }

    /// `<caseId>_pred.npz` files of a folder (or one such file), by case id, and the folder's other
    /// files (named to the user, never silently skipped).
    private static func predictionsByCaseId(at path: String) throws -> (byCaseId: [String: String], otherFiles: [String]) {
        let files = try npzFiles(at: path, predictions: true)
        guard !files.isEmpty else { throw EvaluationError.noPredictions(path: path) }
        var byCaseId: [String: String] = [:]
        for file in files {
            let name = (file as NSString).lastPathComponent
            byCaseId[String(name.dropLast(predictionSuffix.count))] = file
        }
        var otherFiles: [String] = []
        if let walker = FileManager.default.enumerator(atPath: path) {
            while let relative = walker.nextObject() as? String {
                guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular, !relative.hasSuffix(predictionSuffix),
                      !(relative as NSString).lastPathComponent.hasPrefix(".") else { continue }
                otherFiles.append(relative)
            }
        }
        return (byCaseId, otherFiles.sorted())
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

import Foundation
import Support

/// `list`: what the workspace holds, as a tree — each dataset version with its revisions (and
/// parents), the splits of it, the runs trained on it and the evaluations made on it, with labels
/// and dates — then the comparisons of evaluations. Read from the records as they stand; `verify`
/// says whether they are intact.
public struct WorkspaceListing: Sendable, Codable, Equatable {
    public struct Revision: Sendable, Codable, Equatable {
        public let revision: Int
        public let createdAt: String
        public let parent: String?
        public let cases: Int
    }

    public struct Split: Sendable, Codable, Equatable {
        public let name: String
        public let revisions: [Int]
    }

    public struct Run: Sendable, Codable, Equatable {
        public let runId: String
        public let createdAt: String?
        /// `NAME@k`.
        public let split: String?
        public let finished: Bool
        public let label: String?
    }

    public struct Evaluation: Sendable, Codable, Equatable {
        /// The record's file name stem (the first 16 hex digits of its hash).
        public let id: String
        public let createdAt: String?
        /// `NAME@k`, when pinned.
        public let split: String?
        public let role: String?
        public let cases: Int
        public let label: String?
    }

    /// A comparison record (`compare --record`).
    public struct Comparison: Sendable, Codable, Equatable {
        /// The record's file name stem (the first 16 hex digits of its hash).
        public let id: String
        public let createdAt: String?
        public let label: String?
        /// The compared evaluations' ids (first 16 hex digits of their hashes), per side.
        public let a: [String]
        public let b: [String]
    }

    public struct Version: Sendable, Codable, Equatable {
        public let id: String
        public let revisions: [Revision]
        public let splits: [Split]
        public let runs: [Run]
        public let evaluations: [Evaluation]
    }

    /// Oldest first (by when revision 1 was written).
    public let versions: [Version]
    /// Evaluations made without a dataset version (`evaluate --record`).
    public let unpinnedEvaluations: [Evaluation]
    /// Oldest first.
    public let comparisons: [Comparison]
    /// Record files that could not be read (`verify` names why).
    public let unreadable: [String]

    public static func read(_ workspace: Workspace) -> WorkspaceListing {
        var unreadable = DatasetRevision.catalog(of: workspace).unrecognised + SplitRevision.unrecognisedFiles(in: workspace)
        let splitCatalog = SplitRevision.catalog(of: workspace)
        var splitsByVersion: [String: [Split]] = [:]
        for (name, revisions) in splitCatalog.sorted(by: { $0.key < $1.key }) {
            guard let newest = revisions.last, let split = try? SplitRevision.read(name: name, revision: newest, from: workspace) else {
                unreadable.append("splits/\(name)@\(revisions.last ?? 1).json")
                continue
            }
            splitsByVersion[split.identity.dataset, default: []].append(Split(name: name, revisions: revisions))
        }

        var runsByVersion: [String: [Run]] = [:]
        for runId in workspace.files(in: RunFiles.folder) {
            guard let pins = try? RunRecord.pins(of: runId, in: workspace) else {
                if workspace.exists(RunFiles.record(runId)) { unreadable.append(RunFiles.record(runId)) }
                continue
            }
            runsByVersion[pins.datasetVersion, default: []].append(Run(runId: runId, createdAt: pins.createdAt, split: pins.split.reference,
                                                                       finished: workspace.exists(RunFiles.result(runId)), label: pins.label))
        }

        var evaluationsByVersion: [String: [Evaluation]] = [:], unpinned: [Evaluation] = []
        for file in workspace.files(in: "evaluations") where file.hasSuffix(".json") {
            guard let bytes = try? workspace.read("evaluations/\(file)"), let record = try? FlatRecord.read(bytes, path: file) else {
                unreadable.append("evaluations/\(file)")
                continue
            }
            let settings = record.identity["settings"]
            let split = settings?["split"]
            let evaluation = Evaluation(
                id: String(file.dropLast(5)), createdAt: record.context["createdAt"]?.stringValue,
                split: split?["name"]?.stringValue.map { "\($0)@\(split?["revision"]?.intValue ?? 1)" }, role: split?["role"]?.stringValue,
                cases: record.identity["cases"]?.arrayValue?.count ?? 0, label: record.context["label"]?.stringValue)
            if let version = settings?["datasetVersion"]?.stringValue { evaluationsByVersion[version, default: []].append(evaluation) } else { unpinned.append(evaluation) }
        }

        var comparisons: [Comparison] = []
        for file in workspace.files(in: "comparisons") where file.hasSuffix(".json") {
            guard let bytes = try? workspace.read("comparisons/\(file)"), let record = try? FlatRecord.read(bytes, path: file) else {
                unreadable.append("comparisons/\(file)")
                continue
            }
            func side(_ key: String) -> [String] {
                (record.identity[key]?.arrayValue ?? []).compactMap { $0["hash"]?.stringValue.map { String($0.prefix(16)) } }
            }
            comparisons.append(Comparison(id: String(file.dropLast(5)), createdAt: record.context["createdAt"]?.stringValue,
                                          label: record.context["label"]?.stringValue, a: side("a"), b: side("b")))
        }

        var versions: [Version] = []
        for (id, numbers) in DatasetRevision.catalog(of: workspace).versions {
            var revisions: [Revision] = []
            for number in numbers {
                guard let stored = try? DatasetRevision.read(id: id, revision: number, from: workspace) else {
                    unreadable.append(DatasetRevision.fileName(id: id, revision: number))
                    continue
                }
                revisions.append(Revision(revision: number, createdAt: stored.dataset.context.createdAt, parent: stored.dataset.context.parent,
                                          cases: stored.identity.cases.count))
            }
            let byDate = { (a: String?, b: String?) in (a ?? "") < (b ?? "") }
            versions.append(Version(id: id, revisions: revisions, splits: splitsByVersion[id] ?? [],
                                    runs: (runsByVersion[id] ?? []).sorted { byDate($0.createdAt, $1.createdAt) },
                                    evaluations: (evaluationsByVersion[id] ?? []).sorted { byDate($0.createdAt, $1.createdAt) }))
        }
        versions.sort { ($0.revisions.first?.createdAt ?? "", $0.id) < ($1.revisions.first?.createdAt ?? "", $1.id) }
        return WorkspaceListing(versions: versions, unpinnedEvaluations: unpinned.sorted { ($0.createdAt ?? "") < ($1.createdAt ?? "") },
                                comparisons: comparisons.sorted { ($0.createdAt ?? "", $0.id) < ($1.createdAt ?? "", $1.id) },
                                unreadable: unreadable.sorted())
    }
}

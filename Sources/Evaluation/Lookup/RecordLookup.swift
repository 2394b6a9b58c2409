import Foundation
import Lineage

/// Evaluation and comparison records named by the first hex digits of their hash, as `compare`
/// and `report` take them (`1a2b…`): a record's file name is the first 16 hex digits of its hash,
/// so a prefix matches file names in `evaluations/` and `comparisons/`. One lookup for every
/// command, so every command refuses an ambiguous prefix the same way.
public enum RecordLookup {
    public enum Kind: String, Sendable, CaseIterable {
        case evaluation, comparison

        /// The workspace folder its records live in.
        public var folder: String {
            switch self {
            case .evaluation: "evaluations"
            case .comparison: "comparisons"
            }
        }
    }

    /// A record found by its hash prefix.
    public struct Match: Sendable, Equatable {
        public let kind: Kind
        /// Workspace-relative: `evaluations/<16 hex>.json` or `comparisons/<16 hex>.json`.
        public let file: String
    }

    /// Every record of `kinds` whose hash starts with `prefix` (none for an empty prefix), sorted
    /// by file. Folders in `evaluations/` (gamma maps) are not records.
    public static func matches(prefix: String, among kinds: [Kind] = Kind.allCases, in workspace: Workspace) -> [Match] {
        guard !prefix.isEmpty else { return [] }
        return kinds.flatMap { kind in
            workspace.files(in: kind.folder)
                .filter { $0.hasSuffix(".json") && $0.hasPrefix(prefix) && !workspace.isFolder("\(kind.folder)/\($0)") }
                .map { Match(kind: kind, file: "\(kind.folder)/\($0)") }
        }.sorted { $0.file < $1.file }
    }

    /// The one record of `kinds` whose hash starts with `prefix`; refuses none and more than one,
    /// naming the candidates.
    public static func unique(prefix: String, among kinds: [Kind] = Kind.allCases, in workspace: Workspace) throws -> Match {
        let found = matches(prefix: prefix, among: kinds, in: workspace)
        guard let first = found.first else {
            throw RecordLookupError.notFound(argument: prefix, kinds: kinds, searched: kinds.map { workspace.file($0.folder) })
        }
        guard found.count == 1 else { throw RecordLookupError.ambiguous(argument: prefix, candidates: found.map(\.file)) }
        return first
    }
}

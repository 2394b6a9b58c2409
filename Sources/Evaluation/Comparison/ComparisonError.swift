import Support

/// Why two sets of evaluations could not be compared.
public enum ComparisonError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownMetric(name: String, accepted: [String])
    case emptySide(side: String)
    case recordGivenTwice(hash: String, files: [String])
    case mismatched([ComparisonMismatch])
    case noCommonCases(onlyA: [String], onlyB: [String])
    case unreadableRecord(path: String, reason: ErrorReason)
    /// A record whose content no longer hashes to its stored hash: it was edited after it was written.
    case editedRecord(path: String, storedHash: String)
    /// `compare --record` names evaluations by hash: each must be a record of the workspace.
    case evaluationNotInWorkspace(hash: String, file: String)

    public var description: String {
        switch self {
        case let .unknownMetric(name, accepted):
            return "unknown metric '\(name)' (accepted: \(accepted.joined(separator: ", ")))"
        case let .emptySide(side):
            return "side \(side) has no evaluation records"
        case let .recordGivenTwice(hash, files):
            return "evaluation \(hash.prefix(16)) is given more than once (\(files.joined(separator: ", "))): each record counts once, on one side"
        case let .mismatched(mismatches):
            return "refusing to compare evaluations made differently:\n"
                + mismatches.map { "  \($0.description)" }.joined(separator: "\n")
        case let .noCommonCases(onlyA, onlyB):
            return "the two sides have no case in common (A: \(onlyA.joined(separator: ", ")); B: \(onlyB.joined(separator: ", ")))"
        case let .unreadableRecord(path, reason):
            return "\(path): not a readable comparison record: \(reason)"
        case let .editedRecord(path, storedHash):
            return "\(path): its content no longer hashes to its stored hash \(storedHash): it was edited after it was written"
        case let .evaluationNotInWorkspace(hash, file):
            return "\(file) (evaluation \(hash.prefix(16))) is not a record of this workspace's evaluations/: a comparison record names "
                + "evaluations by hash, so record them here first (copy the file into evaluations/)"
        }
    }
}

/// One way the compared evaluations differ in how they were made (or in the data of a case).
public struct ComparisonMismatch: Sendable, Hashable, Codable, CustomStringConvertible {
    /// "dataset version", "split", "protocol", "gamma settings", "case <id>".
    public let aspect: String
    /// Each distinct value and the records (side and hash prefix) that have it.
    public let values: [String: [String]]

    public var description: String {
        "\(aspect) differs: " + values.keys.sorted().map { "\($0) (\(values[$0, default: []].joined(separator: ", ")))" }.joined(separator: " vs ")
    }
}

extension ComparisonError: CodedError {
    public var code: String {
        switch self {
        case .unknownMetric: "comparison.unknown_metric"
        case .emptySide: "comparison.empty_side"
        case .recordGivenTwice: "comparison.record_given_twice"
        case .mismatched: "comparison.mismatched"
        case .noCommonCases: "comparison.no_common_cases"
        case .unreadableRecord: "comparison.unreadable_record"
        case .editedRecord: "comparison.edited_record"
        case .evaluationNotInWorkspace: "comparison.evaluation_not_in_workspace"
        }
    }
}

import Support

/// Why a record named on the command line (a file, a folder of them, a hash prefix) was not found.
public enum RecordLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither a file nor the start of a record's hash in the folders `searched`.
    case notFound(argument: String, kinds: [RecordLookup.Kind], searched: [String])
    /// A hash prefix more than one record starts with; `candidates` are workspace-relative files.
    case ambiguous(argument: String, candidates: [String])

    public var description: String {
        switch self {
        case let .notFound(argument, kinds, searched):
            let what = kinds.map(\.rawValue).joined(separator: " or ")
            return "\(argument): neither \(what.first.map { "aeiou".contains($0) } == true ? "an" : "a") \(what) record file nor a record in "
                + searched.joined(separator: " or ")
        case let .ambiguous(argument, candidates):
            return "\(argument) matches more than one record: \(candidates.joined(separator: ", ")) (give more hex digits)"
        }
    }
}

extension RecordLookupError: CodedError {
    public var code: String {
        switch self {
        case .notFound: "record_lookup.not_found"
        case .ambiguous: "record_lookup.ambiguous"
        }
    }
}

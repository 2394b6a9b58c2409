import Support

/// Why a case could not be loaded as the domain model. Each names the file and what was expected.
public enum DoseCaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingArray(file: String, key: String, available: [String])
    case wrongShape(file: String, key: String, expected: String, found: String)
    case unreadableMetadata(file: String, reason: ErrorReason)
    case noSuchChannel(channel: String, available: [String])
    case unsafeCaseId(caseId: String, problem: String)

    public var description: String {
        switch self {
        case let .missingArray(file, key, available):
            "\(file): no '\(key)' array (arrays: \(available.joined(separator: ", ")))"
        case let .wrongShape(file, key, expected, found):
            "\(file)!\(key): expected shape \(expected), found \(found)"
        case let .unreadableMetadata(file, reason):
            "\(file)!metadata.npy: \(reason)"
        case let .noSuchChannel(channel, available):
            "no structure channel \(channel) (channels: \(available.joined(separator: ", ")))"
        case let .unsafeCaseId(caseId, problem):
            "case id \(CaseIdName.quoted(caseId)) cannot name a file: \(problem)"
        }
    }
}

extension DoseCaseError: CodedError {
    public var code: String {
        switch self {
        case .missingArray: "dose_case.missing_array"
        case .wrongShape: "dose_case.wrong_shape"
        case .unreadableMetadata: "dose_case.unreadable_metadata"
        case .noSuchChannel: "dose_case.no_such_channel"
        case .unsafeCaseId: "dose_case.unsafe_case_id"
        }
    }
}

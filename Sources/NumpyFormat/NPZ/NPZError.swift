import Support

/// Why an `.npz` archive could not be read or written. Each case names the file and, where one
/// is involved, the member.
public enum NPZError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case notZip(file: String, reason: String)
    case truncated(file: String, reason: String)
    case unsupportedCompression(file: String, member: String, method: UInt16, methodName: String)
    case unsafeMemberName(file: String, member: String)
    case duplicateMember(file: String, member: String)
    case memberNotFound(file: String, member: String, available: [String])
    case corruptMember(file: String, member: String, reason: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            "\(file): cannot open (\(reason))"
        case let .notZip(file, reason):
            "\(file): not a .npz (ZIP) archive: \(reason)"
        case let .truncated(file, reason):
            "\(file): damaged or truncated archive: \(reason)"
        case let .unsupportedCompression(file, member, method, name):
            "\(file)!\(member): compression method \(method) (\(name)) is not supported; numpy writes only 0 (stored) and 8 (deflate)"
        case let .unsafeMemberName(file, member):
            "\(file): member name '\(member)' is absolute or climbs out of the archive with '..'; refusing the archive"
        case let .duplicateMember(file, member):
            "\(file): member '\(member)' appears more than once; which one numpy would load is ambiguous"
        case let .memberNotFound(file, member, available):
            "\(file): no member '\(member)' (members: \(available.joined(separator: ", ")))"
        case let .corruptMember(file, member, reason):
            "\(file)!\(member): \(reason)"
        case let .writeFailed(file, reason):
            "\(file): could not write (\(reason))"
        }
    }
}

extension NPZError: CodedError {
    public var code: String {
        switch self {
        case .cannotOpen: "npz.cannot_open"
        case .notZip: "npz.not_zip"
        case .truncated: "npz.truncated"
        case .unsupportedCompression: "npz.unsupported_compression"
        case .unsafeMemberName: "npz.unsafe_member_name"
        case .duplicateMember: "npz.duplicate_member"
        case .memberNotFound: "npz.member_not_found"
        case .corruptMember: "npz.corrupt_member"
        case .writeFailed: "npz.write_failed"
        }
    }
}

import Foundation
import NumpyFormat

/// Where one case lives: a file on disk, or a member of a delivery archive.
public enum CaseLocation: Sendable, Hashable {
    case file(String)
    case archiveMember(archive: String, member: String)

    /// The path a report shows: the file, or `ARCHIVE!member`.
    public var name: String {
        switch self {
        case let .file(path): path
        case let .archiveMember(archive, member): "\(archive)!\(member)"
        }
    }

    /// The file the bytes live in: the case file, or the delivery archive.
    public var containingFile: String {
        switch self {
        case let .file(path): path
        case let .archiveMember(archive, _): archive
        }
    }

    /// The cache key of the file as it is now (see `FileStamp`), or nil when it cannot be stat'ed.
    public func stampKey() -> String? {
        switch self {
        case let .file(path): FileStamp(path: path)?.key()
        case let .archiveMember(archive, member): FileStamp(path: archive)?.key(member: member)
        }
    }

    /// The location a report name spells: `ARCHIVE!member` when the part before a `!` is a delivery
    /// archive on disk (a `!` may also appear in ordinary file names), else a file path.
    public static func parse(_ name: String) -> CaseLocation {
        var searchFrom = name.startIndex
        while let bang = name[searchFrom...].firstIndex(of: "!") {
            let archive = String(name[..<bang])
            var isDirectory: ObjCBool = false
            if DeliveryArchive.isDeliveryArchive(archive), FileManager.default.fileExists(atPath: archive, isDirectory: &isDirectory),
               !isDirectory.boolValue {
                return .archiveMember(archive: archive, member: String(name[name.index(after: bang)...]))
            }
            searchFrom = name.index(after: bang)
        }
        return .file(name)
    }
}

import DoseCase
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

/// Why an audit could not start: the paths it was given cannot be read at all (exit 2).
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathNotFound(String)
    case unreadableDirectory(path: String, reason: String)
    case noInputs
    case noCases(paths: [String], skipped: [SkippedInput])
    case invalidPolicy(path: String, reason: String)

    public var description: String {
        switch self {
        case let .pathNotFound(path): "no such file or directory: \(path)"
        case let .unreadableDirectory(path, reason): "cannot read directory \(path): \(reason)"
        case .noInputs: "no paths to audit"
        case let .noCases(paths, skipped):
            "no .npz cases under \(paths.joined(separator: ", "))"
                + skipped.map { "\n  skipped \($0.path): \($0.reason)" }.joined()
        case let .invalidPolicy(path, reason): "policy \(path): \(reason)"
        }
    }
}

/// The paths an audit was given, resolved: case files (directories searched recursively for
/// `*.npz`, other files ignored) and delivery archives (`.zip`, `.tar`, `.tar.gz`), and what was
/// passed over (see `SkippedInput`).
public struct AuditInputs: Sendable {
    public let files: [String]
    public let archives: [String]
    public let skipped: [SkippedInput]

    public static func resolve(_ paths: [String]) throws -> AuditInputs {
        guard !paths.isEmpty else { throw AuditError.noInputs }
        var walk = FolderWalk()
        var archives: [String] = []
        for path in paths {
            guard let info = FolderWalk.status(of: path) else { throw AuditError.pathNotFound(path) }
            if info.isDirectory {
                walk.merge(try FolderWalk.npzFiles(under: path))
            } else if info.isRegular, DeliveryArchive.isDeliveryArchive(path) {
                if !archives.contains(path) { archives.append(path) }
            } else {
                walk.merge(FolderWalk.file(path))
            }
        }
        return AuditInputs(files: walk.files, archives: archives, skipped: walk.skipped)
    }
}

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
}

/// Why an audit could not start: the paths it was given cannot be read at all (exit 2).
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathNotFound(String)
    case unreadableDirectory(path: String, reason: String)
    case noInputs
    case invalidPolicy(path: String, reason: String)

    public var description: String {
        switch self {
        case let .pathNotFound(path): "no such file or directory: \(path)"
        case let .unreadableDirectory(path, reason): "cannot read directory \(path): \(reason)"
        case .noInputs: "no paths to audit"
        case let .invalidPolicy(path, reason): "policy \(path): \(reason)"
        }
    }
}

/// The paths an audit was given, resolved: case files (directories searched recursively for
/// `*.npz`, other files ignored) and delivery archives (`.zip`, `.tar`, `.tar.gz`).
public struct AuditInputs: Sendable {
    public let files: [String]
    public let archives: [String]

    public static func resolve(_ paths: [String]) throws -> AuditInputs {
        guard !paths.isEmpty else { throw AuditError.noInputs }
        var files: [String] = [], archives: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw AuditError.pathNotFound(path) }
            if isDirectory.boolValue {
                files += try npzFiles(under: path)
            } else if DeliveryArchive.isDeliveryArchive(path) {
                archives.append(path)
            } else {
                files.append(path)
            }
        }
        return AuditInputs(files: unique(files), archives: unique(archives))
    }

    /// `*.npz` below `directory`, sorted by path; an unreadable folder anywhere below is an error.
    private static func npzFiles(under directory: String) throws -> [String] {
        let manager = FileManager.default
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        var found: [String] = []
        var pending = [base]
        while let folder = pending.popLast() {
            let names: [String]
            do {
                names = try manager.contentsOfDirectory(atPath: folder)
            } catch {
                throw AuditError.unreadableDirectory(path: folder, reason: (error as NSError).localizedDescription)
            }
            for name in names where !name.hasPrefix(".") {
                let path = "\(folder)/\(name)"
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    pending.append(path)
                } else if name.lowercased().hasSuffix(".npz") {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    private static func unique(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }
}

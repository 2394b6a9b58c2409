import Support
import DoseCase
import Foundation
import NumpyFormat

/// Why an audit could not start: the paths it was given cannot be read at all (exit 2).
public enum AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathNotFound(String)
    case unreadableDirectory(path: String, reason: String)
    case noInputs
    case noCases(paths: [String], skipped: [SkippedInput])
    case invalidPolicy(path: String, reason: ErrorReason)

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

extension AuditError: CodedError {
    public var code: String {
        switch self {
        case .pathNotFound: "audit.path_not_found"
        case .unreadableDirectory: "audit.unreadable_directory"
        case .noInputs: "audit.no_inputs"
        case .noCases: "audit.no_cases"
        case .invalidPolicy: "audit.invalid_policy"
        }
    }
}

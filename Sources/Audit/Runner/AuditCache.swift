import DoseCase
import Foundation
import NumpyFormat
#if canImport(Glibc)
import Glibc
#endif

/// Per-case audits kept in `.dosecurate/cache/audit/` (DESIGN.md, "The workspace"), keyed by the
/// file's (path, size, mtime, inode) [+ member for archives] and the check catalog's version, so
/// an unchanged file is neither re-read for hashing nor re-audited. A cache, never identity:
/// an entry that cannot be read or written is simply a miss.
struct AuditCache: Sendable {
    let directory: String
    /// What else the audit depends on (the catalog version).
    let salt: String

    struct Entry: Codable {
        let key: String
        let audit: CaseAudit
        let ctFingerprint: CTFingerprint?
    }

    /// The key text for a case, or nil when its file cannot be stat'ed.
    func key(for location: CaseLocation) -> String? {
        let (path, member): (String, String) = switch location {
        case let .file(path): (path, "")
        case let .archiveMember(archive, member): (archive, member)
        }
        var status = stat()
        guard stat(path, &status) == 0, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return [String(cString: resolved), member, String(status.st_size), "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)",
                String(status.st_ino), salt].joined(separator: "\u{0}")
    }

    func load(key: String, as name: String) -> CaseAudit? {
        guard let data = FileManager.default.contents(atPath: entryPath(key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key else { return nil }
        // The same bytes may be reached through another spelling of the path: report it as asked.
        var audit = entry.audit.renamed(to: name)
        audit.ctFingerprint = entry.ctFingerprint
        return audit
    }

    func store(_ audit: CaseAudit, key: String) {
        guard let data = try? JSONEncoder().encode(Entry(key: key, audit: audit, ctFingerprint: audit.ctFingerprint)) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write([UInt8](data), to: entryPath(key))
    }

    private func entryPath(_ key: String) -> String {
        "\(directory)/\(SHA256Hex.of(Array(key.utf8))).json"
    }
}

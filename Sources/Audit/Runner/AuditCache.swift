import Support
import DoseCase
import Foundation
import NumpyFormat

/// Per-case audits kept in `.dosecurate/cache/audit/` (DESIGN.md, "The workspace"), keyed by the
/// file's (path, size, mtime, inode) [+ member for archives] and the check catalog's version, so
/// an unchanged file is neither re-read for hashing nor re-audited. A cache, never identity:
/// an entry that cannot be read or written is simply a miss.
struct AuditCache: Sendable {
    let directory: String
    /// What else the audit depends on (the catalog version).
    let salt: String
    /// Bumped when `Entry` changes shape, so entries written by an older build are misses.
    static let entryVersion = 2

    struct Entry: Codable {
        let key: String
        let audit: CaseAudit
        let ctFingerprint: CTFingerprint?
    }

    /// The key text for a case, or nil when its file cannot be stat'ed.
    func key(for location: CaseLocation) -> String? {
        location.stampKey().map { $0 + "\u{0}" + salt }
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

import Support
import DoseCase
import Foundation
import NumpyFormat

/// Case identities kept in `.dosecurate/cache/hash/`, keyed by the file's stamp alone (path,
/// size, mtime, inode, member): whatever audited or verified a case last, an unchanged file is
/// not re-hashed. A cache, never identity: `verify --deep` ignores it, and an entry that cannot
/// be read or written is simply a miss.
public struct CaseHashCache: Sendable {
    public let directory: String

    struct Entry: Codable {
        let key: String
        let identity: CaseIdentity
    }

    public init(directory: String) { self.directory = directory }

    /// The identity recorded for the file as it is now; nil when it changed or was never hashed.
    public func identity(of location: CaseLocation) -> CaseIdentity? {
        guard let key = location.stampKey(), let data = FileManager.default.contents(atPath: entryPath(key)),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key else { return nil }
        return entry.identity
    }

    func store(_ identity: CaseIdentity, for location: CaseLocation) {
        guard let key = location.stampKey(), let data = try? JSONEncoder().encode(Entry(key: key, identity: identity)) else { return }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try? AtomicFile.write([UInt8](data), to: entryPath(key))
    }

    private func entryPath(_ key: String) -> String {
        "\(directory)/\(SHA256Hex.of(Array(key.utf8))).json"
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// What the file system says about a file without reading it: resolved path, size, modification
/// time (ns) and inode. Caches key on it (DESIGN.md, "The workspace": keyed by path, size, mtime,
/// inode) so an unchanged file is neither re-read nor re-hashed; it is never identity.
public struct FileStamp: Sendable, Hashable {
    public let resolvedPath: String
    public let size: Int64
    public let modifiedNanoseconds: Int64
    public let inode: UInt64

    /// Nil when `path` cannot be stat'ed.
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        resolvedPath = String(cString: resolved)
        size = Int64(status.st_size)
        modifiedNanoseconds = Int64(status.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
    }

    /// One line naming this stamp and, for a case inside a delivery archive, its member.
    public func key(member: String = "") -> String {
        [resolvedPath, member, String(size), String(modifiedNanoseconds), String(inode)].joined(separator: "\u{0}")
    }
}

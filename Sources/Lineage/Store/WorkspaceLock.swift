import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The workspace's lock file (`.dosecurate/lock`, an advisory `flock`): writers hold it
/// exclusively, readers shared, so concurrent dosecurate processes on one workspace never see or
/// make a half-written state. The kernel drops it when a process dies, so a crash never leaves
/// the workspace locked.
public final class WorkspaceLock: @unchecked Sendable {
    public enum Mode: Sendable { case shared, exclusive }

    private let descriptor: Int32
    public let path: String

    /// Blocks until the lock is granted in `mode`.
    public init(path: String, mode: Mode) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LineageError.lockFailed(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
        }
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LineageError.lockFailed(path: path, reason: String(cString: strerror(errno))) }
        try acquire(mode)
    }

    /// Converts the held lock (`flock` re-locks in place; a writer may hand over to readers).
    public func change(to mode: Mode) throws { try acquire(mode) }

    private func acquire(_ mode: Mode) throws {
        while flock(descriptor, mode == .exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                throw LineageError.lockFailed(path: path, reason: reason)
            }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

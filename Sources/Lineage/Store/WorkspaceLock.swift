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

    /// Opens the lock file for writing (creating it and its folder) and blocks until the lock is
    /// granted in `mode`.
    public init(path: String, mode: Mode) throws {
        switch Self.openForWriting(path) {
        case let .opened(descriptor):
            self.path = path
            self.descriptor = descriptor
        case let .readOnly(reason), let .failed(reason):
            throw LineageError.lockFailed(path: path, reason: "\(reason)")
        }
        try acquire(mode)
    }

    /// Takes over a descriptor `openForWriting` or `sharedReadOnly` opened; it is locked by `change(to:)`.
    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    enum Opening {
        case opened(Int32)
        /// The file system or the permissions refuse writing here (EROFS, EACCES, EPERM).
        case readOnly(reason: String)
        case failed(reason: String)
    }

    /// Opens (creating) the lock file for writing, telling a workspace that cannot be written apart
    /// from other failures.
    static func openForWriting(_ path: String) -> Opening {
        let directory = (path as NSString).deletingLastPathComponent
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            let code = errno
            let reason = "cannot create \(directory): \(String(cString: strerror(code)))"
            return isReadOnly(code) ? .readOnly(reason: reason) : .failed(reason: reason)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let code = errno, reason = String(cString: strerror(code))
            return isReadOnly(code) ? .readOnly(reason: reason) : .failed(reason: reason)
        }
        return .opened(descriptor)
    }

    /// A reader's lock on a workspace it cannot write: the existing lock file opened read-only and
    /// locked shared (`flock` needs no write access), or nil when there is no lock file — then no
    /// process can be writing there either.
    static func sharedReadOnly(path: String) throws -> WorkspaceLock? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LineageError.lockFailed(path: path, reason: "cannot open it to read: \(String(cString: strerror(errno)))")
        }
        let lock = WorkspaceLock(path: path, descriptor: descriptor)
        try lock.acquire(.shared)
        return lock
    }

    private static func isReadOnly(_ code: Int32) -> Bool { code == EROFS || code == EACCES || code == EPERM }

    /// Converts the held lock (`flock` re-locks in place; a writer may hand over to readers).
    public func change(to mode: Mode) throws { try acquire(mode) }

    private func acquire(_ mode: Mode) throws {
        while flock(descriptor, mode == .exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                throw LineageError.lockFailed(path: path, reason: "\(reason)")
            }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

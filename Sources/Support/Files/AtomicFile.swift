#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old content or the complete new content, never a
/// partial file: write a temporary sibling, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    /// Runs `produce` with a temporary path next to `path`, then publishes it as `path`. On any
    /// error the temporary file is removed and `path` is left untouched.
    public static func publish(to path: String, _ produce: (_ temporaryPath: String) throws -> Void) throws {
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        do {
            try produce(temporary)
            try syncFile(temporary)
            guard rename(temporary, path) == 0 else { throw failure(path, "rename: \(String(cString: strerror(errno)))") }
            syncDirectory(directory.isEmpty ? "/" : directory)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try publish(to: path) { temporary in
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw failure(path, String(cString: strerror(errno))) }
            defer { close(descriptor) }
            var written = 0
            while written < bytes.count {
                let count = bytes.withUnsafeBytes { buffer in
                    buffer.baseAddress.map { Glibc.write(descriptor, $0 + written, bytes.count - written) } ?? 0
                }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { throw failure(path, String(cString: strerror(errno))) }
                written += count
            }
        }
    }

    /// Makes a rename inside `path` durable (best effort: a folder that cannot be opened is skipped).
    public static func syncDirectory(_ path: String) {
        try? syncFile(path)
    }

    private static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path, String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(path, "fsync: \(String(cString: strerror(errno)))") }
    }

    private static func failure(_ path: String, _ reason: String) -> FileWriteError { FileWriteError(file: path, reason: reason) }
}

/// A file could not be written (the system's reason attached); the old content, if any, is intact.
public struct FileWriteError: CodedError, Sendable, Equatable {
    public let file: String
    public let reason: String
    public var code: String { "support.file_write_failed" }
    public var description: String { "cannot write \(file): \(reason)" }
}

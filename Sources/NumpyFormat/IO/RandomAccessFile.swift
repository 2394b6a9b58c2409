#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only file read at explicit offsets (`pread`): the ZIP central directory, then each
/// member's compressed bytes.
final class RandomAccessFile {
    let path: String
    let size: Int
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw NPZError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw NPZError.cannotOpen(file: path, reason: reason)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw NPZError.cannotOpen(file: path, reason: "not a regular file")
        }
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try read(at: offset, into: $0) }
        return bytes
    }

    /// Fills `buffer` with the file's bytes from `offset`; throws when the file ends first.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws {
        let count = buffer.count
        guard offset >= 0, offset <= size, count <= size - offset else {
            throw NPZError.truncated(file: path, reason: "expected \(count) bytes at offset \(offset), file has \(size)")
        }
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < count {
            let got = pread(descriptor, base + done, count - done, off_t(offset + done))
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else {
                throw NPZError.truncated(file: path, reason: "read of \(count) bytes at offset \(offset) stopped after \(done)")
            }
            done += got
        }
    }
}

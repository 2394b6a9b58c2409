import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress counter on standard error, drawn only when standard error is a terminal
/// (DESIGN.md: progress on a terminal, quiet otherwise).
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private var done = 0
    private let lock = NSLock()

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func advance(_ item: String) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        if enabled { FileHandle.standardError.write("\r\u{1B}[K[\(done)/\(total)] \(item)") }
    }

    func finish() {
        if enabled { FileHandle.standardError.write("\r\u{1B}[K") }
    }
}

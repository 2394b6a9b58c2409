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
        draw(done: done, total: total, item: item)
    }

    /// Shows a count kept by someone else (a library that reports its own progress).
    func show(done: Int, total: Int, item: String) {
        lock.lock()
        defer { lock.unlock() }
        draw(done: done, total: total, item: item)
    }

    private func draw(done: Int, total: Int, item: String) {
        if enabled { FileHandle.standardError.write("\r\u{1B}[K[\(done)/\(total)] \(item)") }
    }

    func finish() {
        if enabled { FileHandle.standardError.write("\r\u{1B}[K") }
    }
}

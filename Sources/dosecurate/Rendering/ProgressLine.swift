import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress counter on standard error, drawn only when standard error is a terminal
/// (DESIGN.md: progress on a terminal, quiet otherwise).
struct ProgressLine: Sendable {
    private let total: Int
    private let enabled: Bool
    /// Finished items; its lock also keeps two workers' lines from interleaving.
    private let done = LockedBox(0)

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func advance(_ item: String) {
        done.withLock { done in
            done += 1
            draw(done: done, total: total, item: item)
        }
    }

    /// Shows a count kept by someone else (a library that reports its own progress).
    func show(done count: Int, total: Int, item: String) {
        done.withLock { _ in draw(done: count, total: total, item: item) }
    }

    /// Shows a step without a count (a library that says what it does, not how far it is).
    func show(_ step: String) {
        done.withLock { _ in if enabled { FileHandle.standardError.write("\r\u{1B}[K\(step)") } }
    }

    private func draw(done: Int, total: Int, item: String) {
        if enabled { FileHandle.standardError.write("\r\u{1B}[K[\(done)/\(total)] \(item)") }
    }

    func finish() {
        if enabled { FileHandle.standardError.write("\r\u{1B}[K") }
    }
}

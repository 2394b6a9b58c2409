import Foundation

/// A value shared between tasks, every access under one lock (after swift-nio's
/// `NIOLockedValueBox`): the one audited place that is `@unchecked Sendable`, instead of a
/// hand-rolled class around `NSLock` wherever progress or a counter is shared.
public final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value while holding the lock; keep it short, and never call back
    /// into the same box from inside it.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

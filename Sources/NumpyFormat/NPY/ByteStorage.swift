/// An aligned, immutable block of bytes: the data of one array as it was stored.
///
/// A class so that a 0.7 GB array is never copied by passing it around; it is filled once,
/// at creation, and never mutated afterwards, which is what makes it safe to share.
final class ByteStorage: @unchecked Sendable {
    let count: Int
    private let base: UnsafeMutableRawPointer

    /// Allocates `count` bytes (aligned for any element type) and lets `fill` write them.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.count = count
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        do {
            try fill(UnsafeMutableRawBufferPointer(start: base, count: count))
        } catch {
            base.deallocate()
            throw error
        }
    }

    deinit { base.deallocate() }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

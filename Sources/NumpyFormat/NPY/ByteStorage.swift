/// An aligned, immutable block of bytes: the data of one array as it was stored.
///
/// A class so that a 0.7 GB array is never copied by passing it around; it is filled once,
/// at creation, and never mutated afterwards, which is what makes it safe to share.
final class ByteStorage: @unchecked Sendable {
    let count: Int
    private let base: UnsafeMutableRawPointer

    /// Allocates `count` bytes (aligned for any element type) and lets `fill` write them.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        // Large arrays start on a 2 MiB boundary and go on transparent huge pages (`HugePages`):
        // a quarter of the whole decode time was first-touch page faults.
        let large = count >= HugePages.threshold
        let base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: large ? HugePages.pageSize : 64)
        HugePages.advise(UnsafeMutableRawBufferPointer(start: base, count: count))
        // Filled before `self` is initialised: a throw then frees the block here, and only here
        // (once every stored property is set, a throwing init would also run `deinit`).
        do {
            try fill(UnsafeMutableRawBufferPointer(start: base, count: count))
        } catch {
            base.deallocate()
            throw error
        }
        self.count = count
        self.base = base
    }

    deinit { base.deallocate() }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}

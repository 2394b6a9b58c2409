#if canImport(Glibc)
import Glibc
#endif

/// An aligned, immutable block of bytes: the data of one array as it was stored.
///
/// A class so that a 0.7 GB array is never copied by passing it around; it is filled once,
/// at creation, and never mutated afterwards, which is what makes it safe to share.
final class ByteStorage: @unchecked Sendable {
    let count: Int
    private let base: UnsafeMutableRawPointer

    /// Arrays at least this large are placed on transparent huge pages: first-touch page faults
    /// on 4 KiB pages cost ~0.34 s per 0.69 GB case on the reference machine, 2 MiB pages ~0.08 s
    /// (measured for `make bench`), a quarter of the whole decode time.
    private static let hugePageThreshold = 8 << 20
    private static let hugePageSize = 2 << 20

    /// Allocates `count` bytes (aligned for any element type) and lets `fill` write them.
    init(count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        self.count = count
        let large = count >= Self.hugePageThreshold
        base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: large ? Self.hugePageSize : 64)
        #if os(Linux)
        if large {
            // Advice only: where the kernel has huge pages disabled this changes nothing.
            _ = madvise(base, count - count % Self.hugePageSize, MADV_HUGEPAGE)
        }
        #endif
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

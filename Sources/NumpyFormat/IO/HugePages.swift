#if canImport(Glibc)
import Glibc
#endif

/// Transparent huge pages for large buffers that are filled once: first-touch page faults on
/// 4 KiB pages cost ~0.34 s per 0.69 GB case on the reference machine, 2 MiB pages ~0.08 s
/// (measured for `make bench`).
public enum HugePages {
    /// Buffers at least this large are worth advising.
    static let threshold = 8 << 20
    static let pageSize = 2 << 20

    /// Asks the kernel to back the whole 2 MiB pages inside `buffer` with huge pages. Advice
    /// only: where the kernel has them disabled this changes nothing.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        #if os(Linux)
        guard buffer.count >= threshold, let base = buffer.baseAddress else { return }
        let start = (Int(bitPattern: base) + pageSize - 1) / pageSize * pageSize
        let end = (Int(bitPattern: base) + buffer.count) / pageSize * pageSize
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }

    /// An empty array with room for `capacity` elements, advised as above, so appending up to
    /// `capacity` elements never reallocates and faults in huge pages.
    public static func reservedArray<Element>(of _: Element.Type, capacity: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            advise(UnsafeMutableRawBufferPointer(buffer))
            initialized = 0
        }
    }
}

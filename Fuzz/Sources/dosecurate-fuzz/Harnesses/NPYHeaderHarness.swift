// `NPYMemberReader` and `MemberByteReader` are internal: the harness drives the exact code path
// an `.npz` member takes (`readHeader`, then data or pickle) over an in-memory member.
@testable import NumpyFormat

/// Input: one `.npy` file (preamble + data). Runs the header parser alone, then the member
/// reader over the same bytes as a member whose size is known (`.npz` on disk) and, for numeric
/// members, unknown (a `.npz` streamed out of a delivery archive).
enum NPYHeaderHarness {
    static func run(_ bytes: [UInt8]) {
        _ = try? NPYHeader.parseMember(bytes, source: "fuzz.npy")

        try? member(bytes, inflatedSize: bytes.count).stream(key: "fuzz", maxChunkBytes: 4096, NPZEventSink.consume)

        // With no size known, a pickled member reads up to the 64 MiB pickle ceiling into one
        // buffer by design; only numeric members take this path here (delivery-archive covers both).
        if case .numeric? = try? NPYHeader.parseMember(bytes, source: "fuzz.npy") {
            try? member(bytes, inflatedSize: nil).stream(key: "fuzz", maxChunkBytes: 4096, NPZEventSink.consume)
        }
    }

    private static func member(_ bytes: [UInt8], inflatedSize: Int?) -> NPYMemberReader {
        NPYMemberReader(reader: MemoryMemberReader(bytes), name: "fuzz.npy", source: "fuzz.npz!fuzz.npy",
                        inflatedSize: inflatedSize, maximumArrayBytes: FuzzHarness.maximumArrayBytes)
    }
}

/// A member's inflated bytes held in memory.
private final class MemoryMemberReader: MemberByteReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer, member: String) throws -> Int {
        let count = min(buffer.count, bytes.count - position)
        guard count > 0, let target = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { target.copyMemory(from: $0.baseAddress! + position, byteCount: count) }
        position += count
        return count
    }

    func finishMember(_ member: String) throws {
        guard position == bytes.count else { throw MemberNotFinished(unread: bytes.count - position) }
    }
}

private struct MemberNotFinished: Error {
    let unread: Int
}

/// Keeps the optimiser from discarding reads whose only purpose is to let AddressSanitizer see
/// every byte a reader hands out.
enum Sink {
    nonisolated(unsafe) private static var value: UInt64 = 0

    static func consume(_ bytes: UnsafeRawBufferPointer) {
        var sum: UInt64 = 0
        for byte in bytes { sum = sum &* 31 &+ UInt64(byte) }
        value ^= sum
    }

    static func consume(_ number: Int) { value ^= UInt64(truncatingIfNeeded: number) }

    static func consume(_ text: String) { value ^= UInt64(truncatingIfNeeded: text.utf8.count) }
}

/// A bounds-checked cursor over the pickle bytes. Every read checks the remaining length
/// first and throws `truncated` instead of trapping, and lengths taken from the stream are
/// compared with the limit and with what is left *before* anything is allocated.
struct PickleByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func readByte() throws(PickleError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: bytes.count) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func read(count: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw .truncated(offset: bytes.count) }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    /// Reads a payload whose length came from the stream: refuses it if it is above
    /// `limit` (reported as such, even when the input is also too short) or longer than
    /// the input, then returns a slice of the input — no copy, no allocation of `length`.
    mutating func readPayload(length: UInt64, limit: Int, opcode: PickleOpcode, opcodeOffset: Int) throws(PickleError) -> ArraySlice<UInt8> {
        guard length <= UInt64(max(limit, 0)) else {
            throw .lengthExceedsLimit(opcode: opcode.name, length: length, limit: limit, offset: opcodeOffset)
        }
        guard length <= UInt64(remaining) else { throw .truncated(offset: bytes.count) }
        return try read(count: Int(length))
    }

    mutating func readLittleEndian(byteCount: Int) throws(PickleError) -> UInt64 {
        let slice = try read(count: byteCount)
        var value: UInt64 = 0
        for byte in slice.reversed() { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Protocol-0 opcodes carry their argument as text up to a newline.
    mutating func readLine() throws(PickleError) -> ArraySlice<UInt8> {
        guard let newline = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw .truncated(offset: bytes.count)
        }
        defer { offset = newline + 1 }
        return bytes[offset..<newline]
    }
}

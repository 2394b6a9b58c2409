/// The byte sink of `PickleWriter`, reproducing CPython's `_pickle.c` framing and memo
/// numbering so the output can match Python's byte for byte.
///
/// Framing (protocol 4+): opcodes are grouped into frames of at least 64 KiB; a frame is
/// closed at the end of the first `save()` that leaves it at or above that size; frames
/// under 4 bytes get no FRAME header; a str/bytes payload of 64 KiB or more is written
/// outside any frame, right after closing the current one.
struct PickleOutputBuffer {
    static let frameSizeTarget = 64 * 1024
    private static let frameHeaderSize = 9
    private static let frameSizeMinimum = 4

    private(set) var bytes: [UInt8] = []
    let protocolVersion: UInt8
    private var framing = false
    private var frameStart: Int?
    private(set) var memoCount = 0

    init(protocolVersion: UInt8) {
        self.protocolVersion = protocolVersion
    }

    mutating func writeHeader() {
        bytes += [PickleOpcode.proto.rawValue, protocolVersion]
        framing = protocolVersion >= 4
    }

    mutating func write(_ opcode: PickleOpcode) {
        write([opcode.rawValue])
    }

    mutating func write<S: Sequence>(_ data: S) where S.Element == UInt8 {
        if framing, frameStart == nil {
            frameStart = bytes.count
            bytes += [UInt8](repeating: 0, count: Self.frameHeaderSize)
        }
        bytes.append(contentsOf: data)
    }

    /// An opcode with its length field, then a payload that may be large.
    mutating func write(header: [UInt8], payload: [UInt8]) {
        guard framing, payload.count >= Self.frameSizeTarget else {
            write(header + payload)
            return
        }
        commitFrame()
        framing = false
        write(header)
        write(payload)
        framing = true
    }

    /// CPython checks this at the end of every `save()`.
    mutating func opcodeBoundary() {
        guard framing, let start = frameStart else { return }
        if bytes.count - start - Self.frameHeaderSize >= Self.frameSizeTarget { commitFrame() }
    }

    mutating func commitFrame() {
        guard let start = frameStart else { return }
        frameStart = nil
        let length = bytes.count - start - Self.frameHeaderSize
        if length >= Self.frameSizeMinimum {
            bytes[start] = PickleOpcode.frame.rawValue
            for index in 0..<8 { bytes[start + 1 + index] = UInt8(truncatingIfNeeded: UInt64(length) >> UInt64(8 * index)) }
        } else {
            bytes.removeSubrange(start..<start + Self.frameHeaderSize)
        }
    }

    /// Stores the object just written in the next memo slot and returns the slot.
    @discardableResult
    mutating func memoize() -> Int {
        let index = memoCount
        memoCount += 1
        if protocolVersion >= 4 {
            write(.memoize)
        } else if index < 256 {
            write([PickleOpcode.binPut.rawValue, UInt8(index)])
        } else {
            write([PickleOpcode.longBinPut.rawValue] + Self.littleEndian(UInt64(index), count: 4))
        }
        return index
    }

    mutating func memoGet(_ index: Int) {
        if index < 256 {
            write([PickleOpcode.binGet.rawValue, UInt8(index)])
        } else {
            write([PickleOpcode.longBinGet.rawValue] + Self.littleEndian(UInt64(index), count: 4))
        }
    }

    static func littleEndian(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) }
    }
}

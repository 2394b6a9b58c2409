import CISAL

/// A zlib stream (RFC 1950: two-byte header, DEFLATE, Adler-32) as PNG's IDAT data requires,
/// compressed in one shot by Intel ISA-L at level 1: a slice figure is a few MB of filtered rows,
/// and level 1 compresses them about as well as zlib's default at a fraction of the time.
enum ZlibStream {
    /// `ISAL_DEF_LVL1_DEFAULT` (= `ISAL_DEF_LVL1_LARGE`: 4 KiB + two 8 KiB hash tables + 64 Ki
    /// four-byte tokens, igzip_lib.h). Swift does not import that macro of macros; a buffer the
    /// library finds too small is reported by it (`ISAL_INVALID_LEVEL_BUF`), not overrun.
    static let levelBufferSize = 4 * 1024 + 2 * 8 * 1024 + 4 * 64 * 1024

    static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        // Stateless deflate never expands by more than stored-block headers (5 bytes per 64 KiB)
        // plus the zlib wrapper; the margin is generous so it never overflows.
        let capacity = bytes.count + bytes.count / 1000 + 1024
        var output = [UInt8](repeating: 0, count: capacity)
        var levelBuffer = [UInt8](repeating: 0, count: levelBufferSize)
        // The stream state is 80 KB: on the heap, not the stack.
        let stream = UnsafeMutablePointer<isal_zstream>.allocate(capacity: 1)
        defer { stream.deallocate() }
        let (status, written) = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                levelBuffer.withUnsafeMutableBufferPointer { level in
                    isal_deflate_stateless_init(stream)
                    stream.pointee.level = 1
                    stream.pointee.level_buf = level.baseAddress
                    stream.pointee.level_buf_size = UInt32(level.count)
                    stream.pointee.gzip_flag = UInt16(IGZIP_ZLIB)
                    stream.pointee.flush = UInt16(NO_FLUSH)
                    stream.pointee.end_of_stream = 1
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                    stream.pointee.avail_in = UInt32(input.count)
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let status = isal_deflate_stateless(stream)
                    return (status, Int(stream.pointee.total_out))
                }
            }
        }
        guard status == COMP_OK else { throw ImageError.compressionFailed(status: status) }
        return Array(output[0..<written])
    }

    /// The CRC-32 of zlib and PNG (reflected polynomial 0xEDB88320, initial and final inversion);
    /// ISA-L's `crc32_gzip_refl` with seed 0 is that function.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            crc32_gzip_refl(0, UnsafeMutablePointer(mutating: buffer.baseAddress), UInt64(buffer.count))
        }
    }
}

/// Writes 8-bit greyscale, RGB and RGBA PNG files (PNG spec, ISO/IEC 15948): signature, IHDR, one IDAT
/// holding a zlib stream of the filtered rows, IEND; every chunk with its CRC-32.
///
/// Each row is filtered with whichever of the five PNG filters gives the smallest sum of
/// absolute signed bytes (libpng's heuristic): slices are smooth, so Sub, Up and Paeth turn them
/// into runs of small numbers that DEFLATE compresses several times better than raw pixels.
public enum PNGEncoder {
    /// The largest width or height accepted: far beyond any figure, and it keeps every byte count
    /// (16384² pixels × 4 bytes = 1 GiB) inside what one deflate call takes.
    public static let maximumDimension = 16384

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// `grey`: rows top to bottom, one byte per pixel. The case viewer stores volume bytes this way
    /// (PNG is the lossless container a browser decodes natively).
    public static func encode(grey: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        try encode(pixels: grey, width: width, height: height, channels: 1, colourType: 0)
    }

    /// `rgb`: rows top to bottom, three bytes (red, green, blue) per pixel.
    public static func encode(rgb: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        try encode(pixels: rgb, width: width, height: height, channels: 3, colourType: 2)
    }

    /// `rgba`: rows top to bottom, four bytes per pixel, alpha not premultiplied (255 = opaque).
    public static func encode(rgba: [UInt8], width: Int, height: Int) throws -> [UInt8] {
        try encode(pixels: rgba, width: width, height: height, channels: 4, colourType: 6)
    }

    private static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int, colourType: UInt8) throws -> [UInt8] {
        guard (1...maximumDimension).contains(width), (1...maximumDimension).contains(height) else {
            throw ImageError.unsupportedImageSize(width: width, height: height, maximum: maximumDimension)
        }
        guard pixels.count == width * height * channels else {
            throw ImageError.pixelCountMismatch(width: width, height: height, channels: channels, found: pixels.count)
        }
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        // Bit depth 8, colour type, compression 0 (deflate), filter method 0, no interlace.
        header += [8, colourType, 0, 0, 0]
        var file = signature
        appendChunk("IHDR", header, to: &file)
        appendChunk("IDAT", try ZlibStream.compress(filteredRows(pixels, width: width, height: height, channels: channels)), to: &file)
        appendChunk("IEND", [], to: &file)
        return file
    }

    /// Length, type, data, CRC-32 over type and data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout [UInt8]) {
        file += bigEndian(UInt32(data.count))
        let start = file.count
        file += Array(type.utf8)
        file += data
        file += bigEndian(ZlibStream.crc32(file[start...]))
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// Each row as its filter-type byte followed by the filtered bytes.
    static func filteredRows(_ pixels: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8] {
        let stride = width * channels
        var output = [UInt8](repeating: 0, count: height * (stride + 1))
        // All five candidates of a row in one pass (one loop, five scores), then the best is
        // copied out; the row above the first is zeros, as the spec defines it.
        var candidates = [UInt8](repeating: 0, count: 5 * stride)
        let zeros = [UInt8](repeating: 0, count: stride)
        pixels.withUnsafeBufferPointer { image in
            zeros.withUnsafeBufferPointer { zeroRow in
                output.withUnsafeMutableBufferPointer { out in
                    candidates.withUnsafeMutableBufferPointer { trial in
                        // Never nil: `encode` has checked that there is at least one pixel.
                        guard let first = image.baseAddress, let zero = zeroRow.baseAddress else { return }
                        for y in 0..<height {
                            let row = first + y * stride
                            let above = y == 0 ? zero : row - stride
                            var scores = (0, 0, 0, 0, 0)
                            for x in 0..<stride {
                                let left = x >= channels ? row[x - channels] : 0
                                let upLeft = x >= channels ? above[x - channels] : 0
                                let (value, up) = (row[x], above[x])
                                let none = value, sub = value &- left, upped = value &- up
                                let average = value &- UInt8((Int(left) + Int(up)) / 2)
                                let paeth = value &- paethPredictor(left: left, up: up, upLeft: upLeft)
                                trial[x] = none
                                trial[stride + x] = sub
                                trial[2 * stride + x] = upped
                                trial[3 * stride + x] = average
                                trial[4 * stride + x] = paeth
                                scores.0 += magnitude(none)
                                scores.1 += magnitude(sub)
                                scores.2 += magnitude(upped)
                                scores.3 += magnitude(average)
                                scores.4 += magnitude(paeth)
                            }
                            let all = [scores.0, scores.1, scores.2, scores.3, scores.4]
                            let best = all.indices.min { all[$0] < all[$1] } ?? 0
                            let start = y * (stride + 1)
                            out[start] = UInt8(best)
                            for x in 0..<stride { out[start + 1 + x] = trial[best * stride + x] }
                        }
                    }
                }
            }
        }
        return output
    }

    /// A filtered byte read as a signed number's size: small either side of zero compresses well.
    @inline(__always)
    private static func magnitude(_ byte: UInt8) -> Int { byte < 128 ? Int(byte) : 256 - Int(byte) }

    /// The Paeth filter's guess (PNG spec §9.4): whichever of left, up and upper-left is nearest
    /// to left + up − upper-left.
    @inline(__always)
    private static func paethPredictor(left: UInt8, up: UInt8, upLeft: UInt8) -> UInt8 {
        let estimate = Int(left) + Int(up) - Int(upLeft)
        let toLeft = abs(estimate - Int(left)), toUp = abs(estimate - Int(up)), toUpLeft = abs(estimate - Int(upLeft))
        if toLeft <= toUp && toLeft <= toUpLeft { return left }
        return toUp <= toUpLeft ? up : upLeft
    }
}

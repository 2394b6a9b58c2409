import Foundation
import SharedCohort
import XCTest

/// Decodes PNG bytes with Python's zlib (not our code): signature, every chunk's CRC-32
/// (`zlib.crc32`), IHDR, one zlib stream over the joined IDATs (`zlib.decompress` checks its
/// Adler-32), the five row filters undone, IEND last.
struct DecodedPNG {
    let width: Int
    let height: Int
    let channels: Int
    /// The filter type of each row, as the encoder chose it.
    let filters: [UInt8]
    /// Rows top to bottom, `channels` bytes per pixel.
    let pixels: [UInt8]

    static let script = #"""
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n', 'bad signature'
pos, chunks = 8, []
while pos < len(data):
    (length,) = struct.unpack('>I', data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
    (crc,) = struct.unpack('>I', data[pos + 8 + length:pos + 12 + length])
    assert crc == zlib.crc32(kind + body), 'bad CRC in %r' % kind
    chunks.append((kind, body))
    pos += 12 + length
assert chunks[0][0] == b'IHDR' and chunks[-1] == (b'IEND', b''), 'chunk order'
width, height, depth, colour, method, filtering, interlace = struct.unpack('>IIBBBBB', chunks[0][1])
assert depth == 8 and colour in (0, 2, 6) and (method, filtering, interlace) == (0, 0, 0), 'header'
channels = {0: 1, 2: 3, 6: 4}[colour]
raw = zlib.decompress(b''.join(body for kind, body in chunks if kind == b'IDAT'))
stride = width * channels
assert len(raw) == height * (stride + 1), 'wrong decompressed length'
rows, filters, previous = [], bytearray(), bytearray(stride)
for y in range(height):
    kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    filters.append(kind)
    if kind == 1:
        for x in range(channels, stride): line[x] = (line[x] + line[x - channels]) & 0xFF
    elif kind == 2:
        line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
    elif kind == 3:
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            line[x] = (line[x] + (a + previous[x]) // 2) & 0xFF
    elif kind == 4:
        for x in range(stride):
            a, b = (line[x - channels], previous[x]) if x >= channels else (0, previous[x])
            c = previous[x - channels] if x >= channels else 0
            e = a + b - c
            pa, pb, pc = abs(e - a), abs(e - b), abs(e - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else (b if pb <= pc else c))) & 0xFF
    elif kind != 0:
        raise AssertionError('filter type %d' % kind)
    rows.append(bytes(line))
    previous = line
with open(sys.argv[2], 'wb') as out:
    out.write(struct.pack('>IIB', width, height, channels) + bytes(filters) + b''.join(rows))
"""#

    static func decode(_ png: [UInt8]) throws -> DecodedPNG {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-png-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.png"), output = folder.appendingPathComponent("out.raw")
        try Data(png).write(to: input)
        try TestProcess.python(script, [input.path, output.path])
        let bytes = [UInt8](try Data(contentsOf: output))
        let word = { (start: Int) in bytes[start..<(start + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let (width, height, channels) = (word(0), word(4), Int(bytes[8]))
        return DecodedPNG(width: width, height: height, channels: channels, filters: Array(bytes[9..<(9 + height)]),
                          pixels: Array(bytes[(9 + height)...]))
    }

    /// The pixel at (x, y) as (red, green, blue).
    func rgb(x: Int, y: Int) -> (Int, Int, Int) {
        let start = (y * width + x) * channels
        return (Int(pixels[start]), Int(pixels[start + 1]), Int(pixels[start + 2]))
    }
}

import Reports
import XCTest

/// PNGs written by `PNGEncoder` decode with Python's zlib to exactly the pixels encoded, use the
/// row filters, and compress smooth images; bad input is refused with a typed error.
final class PNGEncoderTests: XCTestCase {
    /// Odd sizes, a smooth part (where Sub, Up and Paeth win) and a noisy part (where None can).
    private func testPixels(width: Int, height: Int, channels: Int) -> [UInt8] {
        var state: UInt32 = 12345
        var pixels: [UInt8] = []
        for y in 0..<height {
            for x in 0..<width {
                for channel in 0..<channels {
                    state = state &* 1_664_525 &+ 1_013_904_223
                    pixels.append(y < height / 2 ? UInt8((x * 3 + y * 5 + channel * 40) & 0xFF) : UInt8(state >> 24))
                }
            }
        }
        return pixels
    }

    func testRGBDecodesToTheEncodedPixels() throws {
        let pixels = testPixels(width: 37, height: 23, channels: 3)
        let decoded = try DecodedPNG.decode(try PNGEncoder.encode(rgb: pixels, width: 37, height: 23))
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [37, 23, 3])
        XCTAssertEqual(decoded.pixels, pixels)
        XCTAssertTrue(decoded.filters.contains { $0 != 0 }, "smooth rows should be filtered, found \(decoded.filters)")
    }

    func testRGBADecodesToTheEncodedPixels() throws {
        let pixels = testPixels(width: 19, height: 31, channels: 4)
        let decoded = try DecodedPNG.decode(try PNGEncoder.encode(rgba: pixels, width: 19, height: 31))
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [19, 31, 4])
        XCTAssertEqual(decoded.pixels, pixels)
    }

    func testGreyDecodesToTheEncodedPixels() throws {
        let pixels = testPixels(width: 41, height: 17, channels: 1)
        let decoded = try DecodedPNG.decode(try PNGEncoder.encode(grey: pixels, width: 41, height: 17))
        XCTAssertEqual([decoded.width, decoded.height, decoded.channels], [41, 17, 1])
        XCTAssertEqual(decoded.pixels, pixels)
        XCTAssertThrowsError(try PNGEncoder.encode(grey: pixels, width: 40, height: 17)) { error in
            XCTAssertEqual(error as? ImageError, .pixelCountMismatch(width: 40, height: 17, channels: 1, found: pixels.count))
        }
    }

    func testOnePixelImageDecodes() throws {
        let decoded = try DecodedPNG.decode(try PNGEncoder.encode(rgb: [200, 10, 30], width: 1, height: 1))
        XCTAssertEqual(decoded.pixels, [200, 10, 30])
    }

    /// A smooth gradient (like a dose fall-off) must shrink far below its raw size: the filters
    /// turn it into near-constant bytes.
    func testSmoothImageCompressesWell() throws {
        let (width, height) = (256, 256)
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(x), UInt8(y), UInt8((x + y) / 2)] } }
        let png = try PNGEncoder.encode(rgb: pixels, width: width, height: height)
        XCTAssertLessThan(png.count, pixels.count / 20, "PNG of \(png.count) bytes for \(pixels.count) raw bytes")
        XCTAssertEqual(try DecodedPNG.decode(png).pixels, pixels)
    }

    func testWrongPixelCountIsRefused() {
        XCTAssertThrowsError(try PNGEncoder.encode(rgb: [1, 2, 3, 4], width: 2, height: 1)) { error in
            XCTAssertEqual(error as? ImageError, .pixelCountMismatch(width: 2, height: 1, channels: 3, found: 4))
            XCTAssertEqual((error as? ImageError)?.code, "image.pixel_count")
        }
    }

    func testEmptyAndHugeSizesAreRefused() {
        for (width, height) in [(0, 1), (1, 0), (-3, 2), (PNGEncoder.maximumDimension + 1, 1)] {
            XCTAssertThrowsError(try PNGEncoder.encode(rgb: [], width: width, height: height)) { error in
                XCTAssertEqual(error as? ImageError, .unsupportedImageSize(width: width, height: height, maximum: PNGEncoder.maximumDimension))
            }
        }
    }
}

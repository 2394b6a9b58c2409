@testable import Audit
import DoseCase
import NumpyFormat
import XCTest

/// The vectorised passes the audit runs over every streamed voxel agree with plain loops, across
/// chunk boundaries, SIMD tails and the special values that switch them to their slow paths.
final class StreamingSummaryTests: XCTestCase {
    /// Feeds `values` to a `ValueSummary` in chunks of the given (odd) sizes, as the stream does.
    private func summary(of values: [Float], chunks: [Int]) -> ValueSummary {
        var summary = ValueSummary()
        var start = 0, next = 0
        values.withUnsafeBytes { bytes in
            while start < values.count {
                let count = min(chunks[next % chunks.count], values.count - start)
                summary.add(UnsafeRawBufferPointer(rebasing: bytes[(start * 4)..<((start + count) * 4)]), start: start, kind: .float32)
                start += count
                next += 1
            }
        }
        return summary
    }

    private func assertMatchesPlainLoop(_ values: [Float], _ label: String) {
        let summary = summary(of: values, chunks: [1_003, 37, 4_096, 5])
        let finite = values.filter(\.isFinite)
        XCTAssertEqual(summary.count, values.count, label)
        XCTAssertEqual(summary.nonFiniteCount, values.count - finite.count, label)
        XCTAssertEqual(summary.firstNonFiniteIndex, values.firstIndex { !$0.isFinite }, label)
        XCTAssertEqual(summary.minimum, finite.min().map(Double.init), label)
        XCTAssertEqual(summary.maximum, finite.max().map(Double.init), label)
        XCTAssertEqual(summary.nonBinaryCount, values.filter { $0 != 0 && $0 != 1 }.count, label)
    }

    func testFloat32SummaryMatchesAPlainLoop() {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<20_011).map { _ in Float.random(in: -1_000...1_000, using: &generator) }
        assertMatchesPlainLoop(random, "random")
        // The extremes sitting in a SIMD tail, then at the very first element.
        var tail = random
        tail[20_010] = -5_000
        tail[20_009] = 7_000
        assertMatchesPlainLoop(tail, "extremes in the tail")
        var head = random
        head[0] = -.greatestFiniteMagnitude
        head[1] = .greatestFiniteMagnitude
        assertMatchesPlainLoop(head, "largest finite values")
        for special in [Float.nan, .infinity, -.infinity, Float(bitPattern: 0xFFC0_0001)] {
            var withSpecial = random
            withSpecial[9_999] = special
            withSpecial[15_000] = special
            assertMatchesPlainLoop(withSpecial, "with \(special)")
        }
        let binary = (0..<10_000).map { Float($0 % 3 == 0 ? 1 : 0) } + [-0.0, 0.5]
        assertMatchesPlainLoop(binary, "binary with -0 and one 0.5")
        assertMatchesPlainLoop([Float](repeating: .nan, count: 40), "all NaN")
    }

    func testMaskVoxelCountsMatchAPlainCountPerChannel() {
        // Three channels of 9 001 bytes: more than 255 sixteen-byte vectors each, odd tails, and
        // values above 1 (a non-binary mask still counts non-zero voxels).
        let perChannel = 9_001
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(3 * perChannel)).map { _ in UInt8.random(in: 0...3, using: &generator) }
        let header = NPYHeader(dtype: NPYDType(kind: .uint8, byteOrder: .notApplicable), shape: [3, perChannel])
        var counts = [0, 0, 0]
        bytes.withUnsafeBytes { all in
            var start = 0
            for size in [5_000, 16, 13_000, 9_000] where start < bytes.count {
                let end = min(bytes.count, start + size)
                MaskVoxelCounter.add(UnsafeRawBufferPointer(rebasing: all[start..<end]), elements: start..<end, header: header, to: &counts)
                start = end
            }
        }
        let expected = (0..<3).map { channel in bytes[(channel * perChannel)..<((channel + 1) * perChannel)].filter { $0 != 0 }.count }
        XCTAssertEqual(counts, expected)
    }
}

import CEngineKernels
import Support
import XCTest

/// The engine's C kernels at every vector level this machine has (AVX-512, AVX2, portable): the
/// convolutions' matrix products on shapes with ragged edges and padded strides against a
/// double-precision sum, and SiLU against the exact value.
final class ConvKernelTests: XCTestCase {
    private func random(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(generator.nextUniform(-1, 1)) }
    }

    func testTheProductsAgreeWithADoublePrecisionSumAtEveryLevel() throws {
        var generator = SeededGenerator(seed: 12)
        // Shapes around the tiles' edges: 12 rows × 32 columns (AVX-512), 4 × 16 (AVX2), 16-wide dot products,
        // and a depth past one 256-deep block.
        for (m, n, k) in [(13, 45, 37), (12, 32, 27), (8, 32, 27), (1, 7, 5), (16, 97, 216), (4, 16, 1), (9, 40, 600), (25, 33, 300)] {
            let (lda, ldb, ldc) = (k + 3, n + 5, n + 2)
            let a = random(m * lda, &generator), b = random(k * ldb, &generator), start = random(m * ldc, &generator)
            var expected = start.map(Double.init)
            for row in 0..<m { for column in 0..<n {
                var sum = 0.0
                for depth in 0..<k { sum += Double(a[row * lda + depth]) * Double(b[depth * ldb + column]) }
                expected[row * ldc + column] += sum
            } }
            for level in 0...Int(dc_conv_kernel_level()) {
                var c = start
                dc_conv_gemm_nn_at(Int32(level), m, n, k, a, lda, b, ldb, &c, ldc)
                for index in c.indices {
                    let isPadding = index % ldc >= n
                    XCTAssertEqual(Double(c[index]), isPadding ? Double(start[index]) : expected[index], accuracy: 1e-4,
                                   "nn level \(level), \(m)×\(n)×\(k), element \(index)\(isPadding ? " (stride padding: untouched)" : "")")
                }
            }

            // C (m × k) += A (m × n) · Bᵀ, B (k × n): the weight gradient's shape.
            let x = random(m * ldc, &generator), y = random(k * ldb, &generator), gradientStart = random(m * lda, &generator)
            var dots = gradientStart.map(Double.init)
            for row in 0..<m { for column in 0..<k {
                var sum = 0.0
                for i in 0..<n { sum += Double(x[row * ldc + i]) * Double(y[column * ldb + i]) }
                dots[row * lda + column] += sum
            } }
            for level in 0...Int(dc_conv_kernel_level()) {
                var c = gradientStart
                dc_conv_gemm_nt_at(Int32(level), m, k, n, x, ldc, y, ldb, &c, lda)
                for index in c.indices {
                    let isPadding = index % lda >= k
                    XCTAssertEqual(Double(c[index]), isPadding ? Double(gradientStart[index]) : dots[index], accuracy: 1e-4,
                                   "nt level \(level), \(m)×\(k)×\(n), element \(index)")
                }
            }
        }
    }

    func testTheKernelRowProductAgreesWithADoublePrecisionSumAtEveryLevel() throws {
        var generator = SeededGenerator(seed: 14)
        // (output rows, tap groups, taps, lines, width): one 32-column tile, a ragged tail, lines of
        // one column, a depth past one k block (255 = 85 groups of 3), and taps = 1 (the plain product).
        for (m, groups, taps, lines, width) in [(8, 4, 3, 2, 32), (13, 7, 3, 3, 45), (3, 5, 3, 4, 1), (9, 90, 3, 2, 37), (5, 6, 1, 3, 20)] {
            let k = groups * taps
            let (lda, lineStride) = (k + 3, width + taps - 1 + 2)
            let (ldb, ldc) = (lines * lineStride + 5, lines * width + 4)
            let a = random(m * lda, &generator), b = random(groups * ldb, &generator), start = random(m * ldc, &generator)
            var expected = start.map(Double.init)
            for row in 0..<m { for line in 0..<lines { for column in 0..<width {
                var sum = 0.0
                for group in 0..<groups { for tap in 0..<taps {
                    sum += Double(a[row * lda + group * taps + tap]) * Double(b[group * ldb + line * lineStride + column + tap])
                } }
                expected[row * ldc + line * width + column] += sum
            } } }
            for level in 0...Int(dc_conv_kernel_level()) {
                var c = start
                dc_conv_gemm_shifted_at(Int32(level), m, k, taps, lines, width, a, lda, b, ldb, lineStride, &c, ldc)
                for index in c.indices {
                    let isPadding = index % ldc >= lines * width
                    XCTAssertEqual(Double(c[index]), isPadding ? Double(start[index]) : expected[index], accuracy: 1e-4,
                                   "shifted level \(level), m \(m), \(groups)×\(taps) taps, \(lines)×\(width), element \(index)")
                }
            }
        }
    }

    func testSiLUIsWithinThreeULPAndTheSameAtEveryLevel() throws {
        var generator = SeededGenerator(seed: 15)
        var x = (0..<5000).map { _ in Float(generator.nextUniform(-30, 30)) }
        x += [0, -0.0, 1e-30, -1e-30, 87, -87, 88, 89, -89, 200, -200, .nan, .leastNormalMagnitude]
        var first = [Float]()
        for level in 0...Int(dc_conv_kernel_level()) {
            var y = [Float](repeating: 0, count: x.count)
            dc_silu_at(Int32(level), x, &y, x.count)
            var inPlace = x
            inPlace.withUnsafeMutableBufferPointer { dc_silu_at(Int32(level), $0.baseAddress, $0.baseAddress, $0.count) }
            XCTAssertEqual(y.map(\.bitPattern), inPlace.map(\.bitPattern), "level \(level): in place and into another array")
            if level == 0 { first = y } else { XCTAssertEqual(y.map(\.bitPattern), first.map(\.bitPattern), "level \(level) against portable") }
            for (input, output) in zip(x, y) {
                if input.isNaN { XCTAssertTrue(output.isNaN); continue }
                let exact = Double(input) / (1 + exp(-Double(input)))
                if abs(input) <= 87 {
                    XCTAssertLessThanOrEqual(abs(Double(output) - exact), 3 * Double(Float(exact).ulp), "silu(\(input))")
                } else {
                    // Beyond ±87 the sigmoid is 0 or 1 to float precision: x itself, or a value under 1e-34.
                    XCTAssertTrue(input > 0 ? output == input : abs(output) < 1e-34, "silu(\(input)) = \(output)")
                }
            }
        }
    }

    func testTheSameInputsGiveTheSameBits() throws {
        var generator = SeededGenerator(seed: 3)
        let (m, n, k) = (16, 200, 216)
        let a = random(m * k, &generator), b = random(k * n, &generator)
        var first = [Float](repeating: 0, count: m * n), second = first
        dc_conv_gemm_nn(m, n, k, a, k, b, n, &first, n)
        dc_conv_gemm_nn(m, n, k, a, k, b, n, &second, n)
        XCTAssertEqual(first, second)
    }
}

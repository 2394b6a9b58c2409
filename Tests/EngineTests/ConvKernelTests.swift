import CConvKernel
import Support
import XCTest

/// The convolutions' matrix products at every vector level this machine has (AVX-512, AVX2,
/// portable), on shapes with ragged edges and padded strides, against a double-precision sum.
final class ConvKernelTests: XCTestCase {
    private func random(_ count: Int, _ generator: inout SeededGenerator) -> [Float] {
        (0..<count).map { _ in Float(generator.nextUniform(-1, 1)) }
    }

    func testTheProductsAgreeWithADoublePrecisionSumAtEveryLevel() throws {
        var generator = SeededGenerator(seed: 12)
        // Shapes around the tiles' edges: 8 rows × 32 columns (AVX-512), 4 × 16 (AVX2), 16-wide dot products,
        // and a depth past one 256-deep block.
        for (m, n, k) in [(13, 45, 37), (8, 32, 27), (1, 7, 5), (16, 97, 216), (4, 16, 1), (9, 40, 600)] {
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

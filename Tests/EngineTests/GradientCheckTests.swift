import Support
import Dosimetry
import Engine
import XCTest

/// Every backward pass against central finite differences of L = Σ output·g, on shapes small
/// enough to perturb every element. The engine computes in float32; the differences and L are
/// accumulated in Double, and each step is chosen so float32 rounding cannot hide an error:
/// for maps linear in the perturbed tensor (conv, linear, upsampling, FiLM, pooling away from
/// ties, the quadratic MSE) the central difference is exact up to rounding, so a step of 1 (or
/// 0.01 for pooling and the piecewise losses) is used; for the smooth nonlinear layers (GroupNorm,
/// SiLU) a step of 1e-2 leaves an O(h²) truncation error. Measured worst errors, relative to the
/// largest gradient element: ≤ 3e-7 for the linear maps (tolerance 1e-5), ≈ 1.3e-5 for GroupNorm,
/// SiLU and MSE (tolerance 1e-4); a 1 % error in SiLU's or GroupNorm's backward fails.
final class GradientCheckTests: XCTestCase {
    let backend = Result { try CPUBackend(threads: 1) }

    func testConvolutionGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 1)
        for kernel in [3, 1] {
            let conv = try Conv3d(inputChannels: 2, outputChannels: 3, kernelSize: kernel, generator: &generator)
            let x = Tensor.uniform([2, 2, 3, 2, 4], bound: 1, generator: &generator), g = Tensor.uniform([2, 3, 3, 2, 4], bound: 1, generator: &generator)
            let analytic = try conv.backward(input: x, outputGradient: g, on: backend)
            try assertGradient(analytic.input, of: { try conv.forward($0, on: backend) }, at: x, upstream: g, step: 1, "conv k\(kernel) dx")
            try assertGradient(analytic.weight, of: { weight in
                try Conv3d(weight: weight, bias: conv.bias).forward(x, on: backend)
            }, at: conv.weight, upstream: g, step: 1, "conv k\(kernel) dweight")
            try assertGradient(analytic.bias, of: { bias in
                try Conv3d(weight: conv.weight, bias: bias).forward(x, on: backend)
            }, at: conv.bias, upstream: g, step: 1, "conv k\(kernel) dbias")
        }
    }

    func testLinearGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 2)
        let linear = try Linear(inputFeatures: 5, outputFeatures: 4, generator: &generator)
        let x = Tensor.uniform([3, 5], bound: 1, generator: &generator), g = Tensor.uniform([3, 4], bound: 1, generator: &generator)
        let analytic = try linear.backward(input: x, outputGradient: g, on: backend)
        try assertGradient(analytic.input, of: { try linear.forward($0, on: backend) }, at: x, upstream: g, step: 1, "linear dx")
        try assertGradient(analytic.weight, of: { try Linear(weight: $0, bias: linear.bias).forward(x, on: backend) },
                           at: linear.weight, upstream: g, step: 1, "linear dweight")
        try assertGradient(analytic.bias, of: { try Linear(weight: linear.weight, bias: $0).forward(x, on: backend) },
                           at: linear.bias, upstream: g, step: 1, "linear dbias")
    }

    func testGroupNormGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 3)
        let norm = try GroupNorm(groups: 2, scale: Tensor.uniform([4], bound: 1, generator: &generator), shift: Tensor.uniform([4], bound: 1, generator: &generator))
        let x = Tensor.uniform([2, 4, 2, 3, 2], bound: 1, generator: &generator), g = Tensor.uniform(x.shape, bound: 1, generator: &generator)
        let forward = try norm.forward(x, on: backend)
        let analytic = try norm.backward(input: x, statistics: forward.statistics, outputGradient: g, on: backend)
        try assertGradient(analytic.input, of: { try norm.forward($0, on: backend).output }, at: x, upstream: g, step: 1e-2, tolerance: 1e-4, "GroupNorm dx")
        try assertGradient(analytic.scale, of: { try GroupNorm(groups: 2, scale: $0, shift: norm.shift).forward(x, on: backend).output },
                           at: norm.scale, upstream: g, step: 1, "GroupNorm dweight")
        try assertGradient(analytic.shift, of: { try GroupNorm(groups: 2, scale: norm.scale, shift: $0).forward(x, on: backend).output },
                           at: norm.shift, upstream: g, step: 1, "GroupNorm dbias")
    }

    func testActivationPoolingAndUpsamplingGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 4)
        let x = Tensor.uniform([1, 2, 3, 4, 2], bound: 3, generator: &generator)
        let g = Tensor.uniform(x.shape, bound: 1, generator: &generator)
        try assertGradient(try SiLU.backward(input: x, outputGradient: g, on: backend), of: { SiLU.forward($0, on: backend) },
                           at: x, upstream: g, step: 1e-2, tolerance: 1e-4, "SiLU dx")

        // Distinct values 0.1 apart: a 0.01 step never changes a window's winner.
        var pooledInput = Tensor.zeros([1, 2, 4, 4, 2])
        let order = (0..<pooledInput.count).map { _ in generator.next() }.enumerated().sorted { $0.element < $1.element }.map(\.offset)
        for (rank, index) in order.enumerated() { pooledInput.elements[index] = Float(rank) * 0.1 }
        let pooled = try MaxPool3d.forward(pooledInput, on: backend)
        let pooledGradient = Tensor.uniform(pooled.output.shape, bound: 1, generator: &generator)
        try assertGradient(try MaxPool3d.backward(input: pooledInput, forward: pooled, outputGradient: pooledGradient, on: backend),
                           of: { try MaxPool3d.forward($0, on: backend).output }, at: pooledInput, upstream: pooledGradient, step: 1e-2, "MaxPool3d dx")

        let coarse = Tensor.uniform([1, 2, 2, 3, 2], bound: 1, generator: &generator)
        let fineGradient = Tensor.uniform([1, 2, 4, 6, 4], bound: 1, generator: &generator)
        try assertGradient(try TrilinearUpsample.backward(input: coarse, outputGradient: fineGradient, on: backend),
                           of: { try TrilinearUpsample.forward($0, on: backend) }, at: coarse, upstream: fineGradient, step: 1, "upsampling dx")
    }

    func testFiLMGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 5)
        let x = Tensor.uniform([2, 3, 2, 2, 2], bound: 1, generator: &generator), scale = Tensor.uniform([2, 3], bound: 1, generator: &generator), shift = Tensor.uniform([2, 3], bound: 1, generator: &generator)
        let g = Tensor.uniform(x.shape, bound: 1, generator: &generator)
        let analytic = try FiLM.backward(input: x, scale: scale, outputGradient: g, on: backend)
        try assertGradient(analytic.input, of: { try FiLM.forward($0, scale: scale, shift: shift, on: backend) }, at: x, upstream: g, step: 1, "FiLM dx")
        try assertGradient(analytic.scale, of: { try FiLM.forward(x, scale: $0, shift: shift, on: backend) }, at: scale, upstream: g, step: 1, "FiLM dscale")
        try assertGradient(analytic.shift, of: { try FiLM.forward(x, scale: scale, shift: $0, on: backend) }, at: shift, upstream: g, step: 1, "FiLM dshift")
    }

    func testLossGradientsAgreeWithFiniteDifferences() throws {
        let backend = try backend.get()
        var generator = SeededGenerator(seed: 6)
        let prediction = Tensor.uniform([2, 1, 2, 3, 2], bound: 1, generator: &generator), target = Tensor.uniform(prediction.shape, bound: 1, generator: &generator)
        // The upstream gradient of a scalar loss is 1: L is the loss itself.
        let one = try Tensor(shape: [1], elements: [1])
        try assertGradient(try Loss.meanSquaredError(prediction: prediction, target: target, on: backend).gradient,
                           of: { try Tensor(shape: [1], elements: [Loss.meanSquaredError(prediction: $0, target: target, on: backend).value]) },
                           at: prediction, upstream: one, step: 1e-2, tolerance: 1e-4, "MSE")
        // Values at least 0.05 from zero, so a 0.01 step stays on one side of ReLU's kink.
        var signed = prediction
        for index in signed.elements.indices where abs(signed.elements[index]) < 0.05 { signed.elements[index] = 0.3 }
        try assertGradient(Loss.negativePenalty(prediction: signed, on: backend).gradient,
                           of: { try Tensor(shape: [1], elements: [Loss.negativePenalty(prediction: $0, on: backend).value]) },
                           at: signed, upstream: one, step: 1e-2, "negative penalty")
        // The PTV term: an input whose PTV70 SDF is negative at about half the voxels; the
        // shortfall target − prediction kept at least 0.05 from zero, off ReLU's kink.
        let input = Tensor.uniform([2, 2, 2, 3, 2], bound: 1, generator: &generator)
        var apart = prediction
        for index in apart.elements.indices where abs(target.elements[index] - apart.elements[index]) < 0.05 { apart.elements[index] -= 0.2 }
        try assertGradient(Loss.ptvUnderdose(prediction: apart, target: target, input: input).gradient,
                           of: { try Tensor(shape: [1], elements: [Loss.ptvUnderdose(prediction: $0, target: target, input: input).value]) },
                           at: apart, upstream: one, step: 1e-2, tolerance: 1e-4, "PTV underdose")
        // Over every target: the 10-channel network input, PTV56 and PTV50.4 SDFs negative at some
        // voxels where PTV70's is not.
        let tenChannels = Tensor.uniform([2, 10, 2, 3, 2], bound: 1, generator: &generator)
        try assertGradient(Loss.ptvUnderdose(prediction: apart, target: target, input: tenChannels, targets: .all).gradient,
                           of: { try Tensor(shape: [1], elements: [Loss.ptvUnderdose(prediction: $0, target: target, input: tenChannels, targets: .all).value]) },
                           at: apart, upstream: one, step: 1e-2, tolerance: 1e-4, "PTV underdose over every target")
    }

    // MARK: helpers

    /// Compares `analytic` with (L(x + h·eᵢ) − L(x − h·eᵢ)) / 2h for every element i, where
    /// L(x) = Σ f(x)·upstream in Double; the tolerance is relative to the largest |∂L/∂xᵢ|.
    private func assertGradient(_ analytic: Tensor, of f: (Tensor) throws -> Tensor, at x: Tensor, upstream: Tensor, step: Float,
                                tolerance: Double = 1e-5, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(analytic.shape, x.shape, "\(label): gradient shape", file: file, line: line)
        func objective(_ point: Tensor) throws -> Double {
            let output = try f(point)
            return zip(output.elements, upstream.elements).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var numeric = [Double](repeating: 0, count: x.count)
        for index in 0..<x.count {
            var plus = x, minus = x
            plus.elements[index] += step
            minus.elements[index] -= step
            // The step actually taken, after float rounding of x ± h.
            let taken = Double(plus.elements[index]) - Double(minus.elements[index])
            numeric[index] = (try objective(plus) - objective(minus)) / taken
        }
        let scale = max(numeric.map(abs).max() ?? 0, 1e-12)
        let worst = zip(analytic.elements, numeric).map { abs(Double($0) - $1) }.enumerated().max { $0.element < $1.element }
        XCTAssertGreaterThan(scale, 1e-6, "\(label): a zero gradient checks nothing", file: file, line: line)
        if let worst {
            XCTAssertLessThanOrEqual(worst.element / scale, tolerance,
                                     "\(label): element \(worst.offset) analytic \(analytic.elements[worst.offset]), numeric \(numeric[worst.offset])",
                                     file: file, line: line)
        }
    }
}

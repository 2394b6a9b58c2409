import Support
import Dosimetry
@testable import Engine
import XCTest

/// A small training step (conv → GroupNorm → SiLU → FiLM → conv, plus a 1×1×1 residual, pooled
/// and upsampled back, MSE + negative penalty, clipping, AdamW) is bit-for-bit repeatable for a
/// given thread count, and agrees across thread counts and slab sizes to float rounding.
final class DeterminismTests: XCTestCase {
    func testSingleThreadStepsRepeatBitForBit() throws {
        let first = try trainingRun(backend: CPUBackend(threads: 1))
        let second = try trainingRun(backend: CPUBackend(threads: 1))
        XCTAssertEqual(first.losses, second.losses)
        XCTAssertEqual(first.parameters, second.parameters)
        XCTAssertNotEqual(first.losses.first, first.losses.last, "the steps must change the model")
    }

    func testTwoThreadStepsRepeatAndAgreeWithOneThread() throws {
        let single = try trainingRun(backend: CPUBackend(threads: 1))
        let first = try trainingRun(backend: CPUBackend(threads: 2))
        let second = try trainingRun(backend: CPUBackend(threads: 2))
        XCTAssertEqual(first.parameters, second.parameters)
        for (a, b) in zip(single.parameters, first.parameters) { assertClose(b, a, relative: 1e-5, "1 vs 2 threads") }
    }

    /// Slabs of a few image rows (many tasks per sample, partial weight gradients summed across
    /// them) give the same convolution as one slab per sample.
    func testSmallSlabsGiveTheSameConvolution() throws {
        var generator = SeededGenerator(seed: 9)
        let conv = try Conv3d(inputChannels: 3, outputChannels: 5, kernelSize: 3, generator: &generator)
        let x = Tensor.uniform([2, 3, 6, 5, 7], bound: 1, generator: &generator), g = Tensor.uniform([2, 5, 6, 5, 7], bound: 1, generator: &generator)
        let whole = try CPUBackend(threads: 2), sliced = try CPUBackend(threads: 2, slabFloats: 3 * 27 * 7 * 2, minimumSlabPoints: 1)
        XCTAssertEqual(whole.conv3dScratchBytes(layout: VolumeLayout(batch: 2, channels: 3, depth: 6, height: 5, width: 7), kernelSize: 3),
                       2 * 3 * 27 * 30 * 7 * 4, "one slab per sample: all 30 image rows")
        XCTAssertEqual(sliced.conv3dScratchBytes(layout: VolumeLayout(batch: 2, channels: 3, depth: 6, height: 5, width: 7), kernelSize: 3),
                       2 * 3 * 27 * 2 * 7 * 4, "two image rows per slab")
        assertClose(try conv.forward(x, on: sliced), try conv.forward(x, on: whole), relative: 1e-6, "forward")
        let a = try conv.backward(input: x, outputGradient: g, on: sliced), b = try conv.backward(input: x, outputGradient: g, on: whole)
        assertClose(a.input, b.input, relative: 1e-6, "dx")
        assertClose(a.weight, b.weight, relative: 1e-6, "dweight")
    }

    /// im2col scratch is set by the channels, not the volume: slabs hold fewer than twice
    /// max(2 MB, 384 points) of 96·27 patch rows per lane, for a 64³ and a 128³ volume alike.
    func testScratchMemoryDoesNotGrowWithTheVolume() throws {
        let backend = try CPUBackend(threads: 2)
        let small = backend.conv3dScratchBytes(layout: VolumeLayout(batch: 2, channels: 96, depth: 64, height: 64, width: 64), kernelSize: 3)
        let large = backend.conv3dScratchBytes(layout: VolumeLayout(batch: 2, channels: 96, depth: 128, height: 128, width: 128), kernelSize: 3)
        let perLaneBound = 2 * 96 * 27 * (384 + 128) * 4
        XCTAssertGreaterThan(small, 0)
        XCTAssertLessThanOrEqual(small, 2 * perLaneBound)
        XCTAssertLessThanOrEqual(large, 2 * perLaneBound)
        XCTAssertEqual(backend.conv3dScratchBytes(layout: VolumeLayout(batch: 2, channels: 96, depth: 64, height: 64, width: 64), kernelSize: 1), 0)
    }

    // MARK: a tiny model

    struct Run { let losses: [Float]; let parameters: [Tensor] }

    private func trainingRun(backend: CPUBackend) throws -> Run {
        var generator = SeededGenerator(seed: 42)
        var parameters: [Tensor] = []
        for conv in [try Conv3d(inputChannels: 2, outputChannels: 4, kernelSize: 3, generator: &generator),
                     try Conv3d(inputChannels: 4, outputChannels: 4, kernelSize: 3, generator: &generator),
                     try Conv3d(inputChannels: 2, outputChannels: 4, kernelSize: 1, generator: &generator),
                     try Conv3d(inputChannels: 4, outputChannels: 1, kernelSize: 1, generator: &generator)] {
            parameters += [conv.weight, conv.bias]
        }
        parameters += [Tensor(repeating: 1, shape: [4]), .zeros([4])]
        let x = Tensor.uniform([2, 2, 6, 8, 4], bound: 1, generator: &generator), target = Tensor.uniform([2, 1, 6, 8, 4], bound: 1, generator: &generator)
        let scale = Tensor.uniform([2, 4], bound: 1, generator: &generator), shift = Tensor.uniform([2, 4], bound: 1, generator: &generator)
        var optimizer = try AdamW(settings: .init(learningRate: 1e-2))
        var losses: [Float] = []
        for _ in 0..<4 {
            let conv1 = try Conv3d(weight: parameters[0], bias: parameters[1]), conv2 = try Conv3d(weight: parameters[2], bias: parameters[3])
            let residual = try Conv3d(weight: parameters[4], bias: parameters[5]), head = try Conv3d(weight: parameters[6], bias: parameters[7])
            let norm = try GroupNorm(groups: 2, scale: parameters[8], shift: parameters[9])
            // forward
            let a = try conv1.forward(x, on: backend)
            let normed = try norm.forward(a, on: backend)
            let activated = SiLU.forward(normed.output, on: backend)
            let modulated = try FiLM.forward(activated, scale: scale, shift: shift, on: backend)
            let b = try conv2.forward(modulated, on: backend)
            let skip = try residual.forward(x, on: backend)
            let summed = try ResidualAdd.forward(b, skip, on: backend)
            let pooled = try MaxPool3d.forward(summed, on: backend)
            let restored = try TrilinearUpsample.forward(pooled.output, on: backend)
            let prediction = try head.forward(restored, on: backend)
            let mse = try Loss.meanSquaredError(prediction: prediction, target: target, on: backend)
            let penalty = Loss.negativePenalty(prediction: prediction, on: backend)
            losses.append(mse.value + 0.1 * penalty.value)
            // backward
            let dPrediction = try ResidualAdd.forward(mse.gradient, backend.scaled(penalty.gradient, by: 0.1), on: backend)
            let dHead = try head.backward(input: restored, outputGradient: dPrediction, on: backend)
            let dPooled = try TrilinearUpsample.backward(input: pooled.output, outputGradient: dHead.input, on: backend)
            let dSummed = try MaxPool3d.backward(input: summed, forward: pooled, outputGradient: dPooled, on: backend)
            let dResidual = try residual.backward(input: x, outputGradient: dSummed, on: backend)
            let dConv2 = try conv2.backward(input: modulated, outputGradient: dSummed, on: backend)
            let dFiLM = try FiLM.backward(input: activated, scale: scale, outputGradient: dConv2.input, on: backend)
            let dActivated = try SiLU.backward(input: normed.output, outputGradient: dFiLM.input, on: backend)
            let dNorm = try norm.backward(input: a, statistics: normed.statistics, outputGradient: dActivated, on: backend)
            let dConv1 = try conv1.backward(input: x, outputGradient: dNorm.input, on: backend)
            var gradients = [dConv1.weight, dConv1.bias, dConv2.weight, dConv2.bias, dResidual.weight, dResidual.bias,
                             dHead.weight, dHead.bias, dNorm.scale, dNorm.shift]
            try GradientClipping.clipNorm(&gradients, maxNorm: 1, on: backend)
            try optimizer.update(&parameters, gradients: gradients, on: backend)
        }
        return Run(losses: losses, parameters: parameters)
    }
}

import CBLAS
import CMalloc
import Foundation

/// The CPU backend: OpenBLAS sgemm for convolutions and linear layers, plain loops for the rest,
/// work split between `threads` lanes by the engine itself. OpenBLAS's own threading is turned off
/// (process-wide), so `threads: 1` is bit-for-bit repeatable and `threads: 2` uses both cores for
/// the gathers and reductions around each product too.
public struct CPUBackend: ComputeBackend {
    public let threads: Int
    let split: WorkSplit
    /// Conv column slabs (`Conv3dKernel`): 2 MB, at least 384 output points, unless a test asks otherwise.
    let slabFloats: Int, minimumSlabPoints: Int

    /// What becomes of a freed activation's memory (process-wide: once any backend of the process
    /// keeps it, the process keeps it).
    public enum FreedMemory: Sendable {
        /// Training: every step allocates the same sizes again, so freed blocks stay in the heap to be
        /// reused rather than page-faulted in afresh (see `keepFreedTensorMemory`).
        case keptForReuse
        /// Inference: a pass frees blocks of many sizes once; a heap that never shrinks would hold
        /// their fragmented sum (one 128³ `paper` tile: 2.6 GB resident), so large blocks go back.
        case returnedToSystem
    }

    public init(threads: Int = ProcessInfo.processInfo.activeProcessorCount, freedMemory: FreedMemory = .keptForReuse) throws {
        try self.init(threads: threads, slabFloats: 1 << 19, minimumSlabPoints: 384, freedMemory: freedMemory)
    }

    init(threads: Int, slabFloats: Int, minimumSlabPoints: Int, freedMemory: FreedMemory = .keptForReuse) throws {
        guard threads >= 1 else { throw EngineError.invalidSetting(name: "threads", expected: "at least 1", found: "\(threads)") }
        dc_blas_set_threads(1)
        if freedMemory == .keptForReuse { Self.keepFreedTensorMemory }
        self.threads = threads
        self.slabFloats = slabFloats
        self.minimumSlabPoints = minimumSlabPoints
        split = WorkSplit(threads: threads)
    }

    /// glibc serves every block above 32 MB (most activations) with a fresh mmap and returns it
    /// on free, so each layer of each step page-faults its output in again: a third of a training
    /// step's time went to the kernel (64³ batch 2, `cpu` preset: 2.9 s → 1.9 s without it). Serving
    /// large blocks from the heap and never trimming it lets freed activations be reused; the peak
    /// is unchanged (the next step needs the same sizes). Process-wide, set once.
    private static let keepFreedTensorMemory: Void = { _ = dc_keep_freed_memory() }()

    public var summary: String {
        "cpu, \(threads) thread\(threads == 1 ? "" : "s"), \(String(cString: dc_blas_configuration())) (kernels: \(String(cString: dc_blas_core())))"
    }

    private var conv: Conv3dKernel { Conv3dKernel(split: split, slabFloats: slabFloats, minimumPoints: minimumSlabPoints) }
    private var elementwise: ElementwiseKernel { ElementwiseKernel(split: split) }

    // MARK: convolution and linear

    public func conv3dForward(input: Tensor, layout: VolumeLayout, weight: Tensor, bias: Tensor, kernelSize: Int) -> Tensor {
        let outputChannels = weight.shape[0]
        return Tensor(shape: layout.with(channels: outputChannels).shape) { output in
            input.elements.withUnsafeBufferPointer { source in
                weight.elements.withUnsafeBufferPointer { weights in
                    bias.elements.withUnsafeBufferPointer { biases in
                        conv.forward(input: source, layout: layout, weight: weights, outputChannels: outputChannels,
                                     kernelSize: kernelSize, bias: biases, output: output)
                    }
                }
            }
        }
    }

    public func conv3dForward(concatenating first: Tensor, _ second: Tensor, layout: VolumeLayout, weight: Tensor, bias: Tensor,
                              kernelSize: Int) -> Tensor {
        let outputChannels = weight.shape[0]
        return Tensor(shape: layout.with(channels: outputChannels).shape) { output in
            first.elements.withUnsafeBufferPointer { firstSource in
                second.elements.withUnsafeBufferPointer { secondSource in
                    weight.elements.withUnsafeBufferPointer { weights in
                        bias.elements.withUnsafeBufferPointer { biases in
                            conv.forward(input: ConvInput(parts: [(firstSource.baseAddress!, first.shape[1]), (secondSource.baseAddress!, second.shape[1])]),
                                         layout: layout, weight: weights, outputChannels: outputChannels, kernelSize: kernelSize,
                                         bias: biases, output: output.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    public func pointwiseConvForward(overwriting first: consuming Tensor, concatenatedWith second: Tensor, layout: VolumeLayout,
                                     weight: Tensor, bias: Tensor) -> Tensor {
        let outputChannels = weight.shape[0], outputLayout = layout.with(channels: outputChannels)
        guard layout.batch == 1, outputChannels <= first.shape[1] else {
            return conv3dForward(concatenating: first, second, layout: layout, weight: weight, bias: bias, kernelSize: 1)
        }
        let firstChannels = first.shape[1]
        var storage = (consume first).elements
        storage.withUnsafeMutableBufferPointer { target in
            second.elements.withUnsafeBufferPointer { secondSource in
                weight.elements.withUnsafeBufferPointer { weights in
                    bias.elements.withUnsafeBufferPointer { biases in
                        conv.forward(input: ConvInput(parts: [(UnsafePointer(target.baseAddress!), firstChannels), (secondSource.baseAddress!, second.shape[1])]),
                                     layout: layout, weight: weights, outputChannels: outputChannels, kernelSize: 1,
                                     bias: biases, output: target.baseAddress!)
                    }
                }
            }
        }
        storage.removeLast(storage.count - outputLayout.shape.reduce(1, *))
        return Tensor(unchecked: outputLayout.shape, storage)
    }

    public func conv3dBackward(input: Tensor, layout: VolumeLayout, weight: Tensor, kernelSize: Int, outputGradient: Tensor) -> Conv3d.Gradients {
        let outputChannels = weight.shape[0]
        let outputLayout = layout.with(channels: outputChannels)
        let weightGradient = Tensor(shape: weight.shape) { gradient in
            input.elements.withUnsafeBufferPointer { source in
                outputGradient.elements.withUnsafeBufferPointer { upstream in
                    conv.weightGradient(input: source, layout: layout, outputGradient: upstream, outputChannels: outputChannels,
                                        kernelSize: kernelSize, into: gradient)
                }
            }
        }
        let flipped = weight.elements.withUnsafeBufferPointer {
            Conv3dKernel.transposedFlipped($0, outputChannels: outputChannels, inputChannels: layout.channels, kernelSize: kernelSize)
        }
        let noBias = [Float](repeating: 0, count: layout.channels)
        let inputGradient = Tensor(shape: layout.shape) { gradient in
            outputGradient.elements.withUnsafeBufferPointer { upstream in
                flipped.withUnsafeBufferPointer { weights in
                    noBias.withUnsafeBufferPointer { zero in
                        conv.forward(input: upstream, layout: outputLayout, weight: weights, outputChannels: layout.channels,
                                     kernelSize: kernelSize, bias: zero, output: gradient)
                    }
                }
            }
        }
        let spatial = layout.spatialCount
        var biasGradient = [Float](repeating: 0, count: outputChannels)
        for channel in 0..<outputChannels {
            var sum = 0.0
            for sample in 0..<layout.batch {
                let first = (sample * outputChannels + channel) * spatial
                for index in first..<(first + spatial) { sum += Double(outputGradient.elements[index]) }
            }
            biasGradient[channel] = Float(sum)
        }
        return Conv3d.Gradients(input: inputGradient, weight: weightGradient, bias: Tensor(unchecked: [outputChannels], biasGradient))
    }

    public func conv3dScratchBytes(layout: VolumeLayout, kernelSize: Int) -> Int {
        conv.scratchBytes(layout: layout, kernelSize: kernelSize)
    }

    public func linearForward(input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (rows, inputs, outputs) = (input.shape[0], input.shape[1], weight.shape[0])
        var output = [Float](repeating: 0, count: rows * outputs)
        for row in 0..<rows { for column in 0..<outputs { output[row * outputs + column] = bias.elements[column] } }
        // y = x·Wᵀ + b
        dc_sgemm_row_major(0, 1, Int32(rows), Int32(outputs), Int32(inputs), 1, input.elements, Int32(inputs),
                           weight.elements, Int32(inputs), 1, &output, Int32(outputs))
        return Tensor(unchecked: [rows, outputs], output)
    }

    public func linearBackward(input: Tensor, weight: Tensor, outputGradient: Tensor) -> Linear.Gradients {
        let (rows, inputs, outputs) = (input.shape[0], input.shape[1], weight.shape[0])
        var inputGradient = [Float](repeating: 0, count: rows * inputs)
        var weightGradient = [Float](repeating: 0, count: outputs * inputs)
        // dx = dy·W, dW = dyᵀ·x
        dc_sgemm_row_major(0, 0, Int32(rows), Int32(inputs), Int32(outputs), 1, outputGradient.elements, Int32(outputs),
                           weight.elements, Int32(inputs), 0, &inputGradient, Int32(inputs))
        dc_sgemm_row_major(1, 0, Int32(outputs), Int32(inputs), Int32(rows), 1, outputGradient.elements, Int32(outputs),
                           input.elements, Int32(inputs), 0, &weightGradient, Int32(inputs))
        var biasGradient = [Float](repeating: 0, count: outputs)
        for column in 0..<outputs {
            var sum = 0.0
            for row in 0..<rows { sum += Double(outputGradient.elements[row * outputs + column]) }
            biasGradient[column] = Float(sum)
        }
        return Linear.Gradients(input: Tensor(unchecked: input.shape, inputGradient), weight: Tensor(unchecked: weight.shape, weightGradient),
                                bias: Tensor(unchecked: [outputs], biasGradient))
    }

    // MARK: normalisation, activation, resampling

    public func groupNormForward(input: Tensor, groups: Int, epsilon: Float, scale: Tensor, shift: Tensor) -> (output: Tensor, statistics: GroupNorm.Statistics) {
        var statistics = GroupNorm.Statistics(mean: [], inverseDeviation: [])
        let output = Tensor(shape: input.shape) { output in
            input.elements.withUnsafeBufferPointer { source in
                statistics = groupNorm(source, shape: input.shape, groups: groups, epsilon: epsilon, scale: scale, shift: shift, into: output)
            }
        }
        return (output, statistics)
    }

    public func groupNormForward(inPlace tensor: inout Tensor, groups: Int, epsilon: Float, scale: Tensor, shift: Tensor) {
        let shape = tensor.shape
        tensor.elements.withUnsafeMutableBufferPointer { values in
            _ = groupNorm(UnsafeBufferPointer(values), shape: shape, groups: groups, epsilon: epsilon, scale: scale, shift: shift, into: values)
        }
    }

    /// `output` may be `input`'s memory: each (sample, group) block is read whole before it is written.
    private func groupNorm(_ input: UnsafeBufferPointer<Float>, shape: [Int], groups: Int, epsilon: Float, scale: Tensor, shift: Tensor,
                           into output: UnsafeMutableBufferPointer<Float>) -> GroupNorm.Statistics {
        let (batch, channels) = (shape[0], shape[1])
        return scale.elements.withUnsafeBufferPointer { gamma in
            shift.elements.withUnsafeBufferPointer { beta in
                let (mean, inverse) = GroupNormKernel(split: split).forward(
                    input: input, batch: batch, channels: channels, spatial: input.count / max(1, batch * channels),
                    groups: groups, epsilon: epsilon, scale: gamma, shift: beta, output: output)
                return GroupNorm.Statistics(mean: mean, inverseDeviation: inverse)
            }
        }
    }

    public func groupNormBackward(input: Tensor, groups: Int, scale: Tensor, statistics: GroupNorm.Statistics, outputGradient: Tensor) -> GroupNorm.Gradients {
        let (batch, channels) = (input.shape[0], input.shape[1])
        var affine: (scale: [Float], shift: [Float]) = ([], [])
        let inputGradient = Tensor(shape: input.shape) { gradient in
            input.elements.withUnsafeBufferPointer { source in
                outputGradient.elements.withUnsafeBufferPointer { upstream in
                    scale.elements.withUnsafeBufferPointer { gamma in
                        affine = GroupNormKernel(split: split).backward(
                            input: source, outputGradient: upstream, batch: batch, channels: channels,
                            spatial: input.count / max(1, batch * channels), groups: groups, scale: gamma,
                            mean: statistics.mean, inverseDeviation: statistics.inverseDeviation, inputGradient: gradient)
                    }
                }
            }
        }
        return GroupNorm.Gradients(input: inputGradient, scale: Tensor(unchecked: [channels], affine.scale),
                                   shift: Tensor(unchecked: [channels], affine.shift))
    }

    public func siluForward(_ input: Tensor) -> Tensor {
        Tensor(unchecked: input.shape, elementwise.silu(input.elements))
    }

    public func siluForward(inPlace tensor: inout Tensor) {
        elementwise.siluInPlace(&tensor.elements)
    }

    public func siluBackward(input: Tensor, outputGradient: Tensor) -> Tensor {
        Tensor(unchecked: input.shape, elementwise.zip(input.elements, outputGradient.elements) { x, g in
            let s = ElementwiseKernel.sigmoid(x)
            return g * s * (1 + x * (1 - s))
        })
    }

    public func maxPoolForward(input: Tensor, layout: VolumeLayout) -> (output: Tensor, winners: [UInt8]) {
        let pooled = layout.pooled
        var winners = [UInt8](repeating: 0, count: pooled.batch * pooled.channels * pooled.spatialCount)
        let output = Tensor(shape: pooled.shape) { output in
            input.elements.withUnsafeBufferPointer { source in
                winners.withUnsafeMutableBufferPointer { winners in
                    MaxPoolKernel(split: split).forward(input: source, layout: layout, output: output, winners: winners)
                }
            }
        }
        return (output, winners)
    }

    public func maxPoolBackward(layout: VolumeLayout, winners: [UInt8], outputGradient: Tensor) -> Tensor {
        Tensor(shape: layout.shape) { gradient in
            outputGradient.elements.withUnsafeBufferPointer { upstream in
                winners.withUnsafeBufferPointer { winners in
                    MaxPoolKernel(split: split).backward(outputGradient: upstream, winners: winners, layout: layout, inputGradient: gradient)
                }
            }
        }
    }

    public func upsampleForward(input: Tensor, layout: VolumeLayout) -> Tensor {
        Tensor(unchecked: layout.upsampled.shape, UpsampleKernel(split: split).forward(input: input.elements, layout: layout))
    }

    public func upsampleBackward(layout: VolumeLayout, outputGradient: Tensor) -> Tensor {
        Tensor(unchecked: layout.shape, UpsampleKernel(split: split).backward(outputGradient: outputGradient.elements, layout: layout))
    }

    // MARK: structure

    public func concatenateChannels(_ first: Tensor, _ second: Tensor) -> Tensor {
        let batch = first.shape[0]
        let firstBlock = first.count / max(1, batch), secondBlock = second.count / max(1, batch)
        var elements: [Float] = []
        elements.reserveCapacity(first.count + second.count)
        for sample in 0..<batch {
            elements.append(contentsOf: first.elements[(sample * firstBlock)..<((sample + 1) * firstBlock)])
            elements.append(contentsOf: second.elements[(sample * secondBlock)..<((sample + 1) * secondBlock)])
        }
        var shape = first.shape
        shape[1] = first.shape[1] + second.shape[1]
        return Tensor(unchecked: shape, elements)
    }

    public func splitChannels(_ tensor: Tensor, firstChannels: Int) -> (first: Tensor, second: Tensor) {
        let batch = tensor.shape[0], channels = tensor.shape[1]
        let perChannel = tensor.count / max(1, batch * channels)
        let firstBlock = firstChannels * perChannel, block = channels * perChannel
        var first: [Float] = [], second: [Float] = []
        first.reserveCapacity(batch * firstBlock)
        second.reserveCapacity(tensor.count - batch * firstBlock)
        for sample in 0..<batch {
            first.append(contentsOf: tensor.elements[(sample * block)..<(sample * block + firstBlock)])
            second.append(contentsOf: tensor.elements[(sample * block + firstBlock)..<((sample + 1) * block)])
        }
        var firstShape = tensor.shape, secondShape = tensor.shape
        firstShape[1] = firstChannels
        secondShape[1] = channels - firstChannels
        return (Tensor(unchecked: firstShape, first), Tensor(unchecked: secondShape, second))
    }

    public func filmForward(input: Tensor, scale: Tensor, shift: Tensor) -> Tensor {
        Tensor(shape: input.shape) { output in
            input.elements.withUnsafeBufferPointer { source in film(source, scale: scale, shift: shift, into: output) }
        }
    }

    public func filmForward(inPlace tensor: inout Tensor, scale: Tensor, shift: Tensor) {
        tensor.elements.withUnsafeMutableBufferPointer { values in film(UnsafeBufferPointer(values), scale: scale, shift: shift, into: values) }
    }

    /// `output` may be `input`'s memory.
    private func film(_ input: UnsafeBufferPointer<Float>, scale: Tensor, shift: Tensor, into output: UnsafeMutableBufferPointer<Float>) {
        let planes = scale.count, spatial = input.count / max(1, planes)
        nonisolated(unsafe) let output = output
        split.forEachTask(planes) { plane in
            let gain = 1 + scale.elements[plane], offset = shift.elements[plane]
            for index in (plane * spatial)..<((plane + 1) * spatial) { output[index] = input[index] * gain + offset }
        }
    }

    public func filmBackward(input: Tensor, scale: Tensor, outputGradient: Tensor) -> FiLM.Gradients {
        let planes = input.shape[0] * input.shape[1], spatial = input.count / max(1, planes)
        var scaleGradient = [Float](repeating: 0, count: planes), shiftGradient = scaleGradient
        let inputGradient = Tensor(shape: input.shape) { gradient in
            scaleGradient.withUnsafeMutableBufferPointer { scaleBuffer in
                shiftGradient.withUnsafeMutableBufferPointer { shiftBuffer in
                    nonisolated(unsafe) let (gradient, scaleOut, shiftOut) = (gradient, scaleBuffer, shiftBuffer)
                    split.forEachTask(planes) { plane in
                        let gain = 1 + scale.elements[plane]
                        var dScale = 0.0, dShift = 0.0
                        for index in (plane * spatial)..<((plane + 1) * spatial) {
                            let g = outputGradient.elements[index]
                            gradient[index] = g * gain
                            dScale += Double(g) * Double(input.elements[index])
                            dShift += Double(g)
                        }
                        scaleOut[plane] = Float(dScale)
                        shiftOut[plane] = Float(dShift)
                    }
                }
            }
        }
        return FiLM.Gradients(input: inputGradient, scale: Tensor(unchecked: scale.shape, scaleGradient),
                              shift: Tensor(unchecked: scale.shape, shiftGradient))
    }

    public func add(_ first: Tensor, _ second: Tensor) -> Tensor {
        Tensor(unchecked: first.shape, elementwise.zip(first.elements, second.elements, +))
    }

    public func add(_ addend: Tensor, to tensor: inout Tensor) {
        elementwise.zipInPlace(&tensor.elements, addend.elements, +)
    }

    public func scaled(_ tensor: Tensor, by factor: Float) -> Tensor {
        Tensor(unchecked: tensor.shape, elementwise.map(tensor.elements) { $0 * factor })
    }

    public func sumOfSquares(_ tensor: Tensor) -> Double {
        elementwise.sum(tensor.elements, tensor.elements) { x, _ in Double(x) * Double(x) }
    }

    // MARK: losses and optimiser

    public func meanSquaredError(prediction: Tensor, target: Tensor) -> LossValue {
        let count = Float(max(1, prediction.count))
        let sum = elementwise.sum(prediction.elements, target.elements) { p, t in
            let difference = Double(p) - Double(t)
            return difference * difference
        }
        let gradient = elementwise.zip(prediction.elements, target.elements) { p, t in 2 * (p - t) / count }
        return LossValue(value: Float(sum / Double(count)), gradient: Tensor(unchecked: prediction.shape, gradient))
    }

    public func negativePenalty(prediction: Tensor) -> LossValue {
        let count = Float(max(1, prediction.count))
        let sum = elementwise.sum(prediction.elements, prediction.elements) { p, _ in p < 0 ? -Double(p) : 0 }
        let gradient = elementwise.map(prediction.elements) { p in p < 0 ? -1 / count : 0 }
        return LossValue(value: Float(sum / Double(count)), gradient: Tensor(unchecked: prediction.shape, gradient))
    }

    public func adamWUpdate(parameter: inout Tensor, gradient: Tensor, moments: inout AdamW.Moments, step: Int, settings: AdamW.Settings) {
        // PyTorch's single-tensor AdamW (1.13, Debian's), operation for operation: the scalars are
        // Python floats (double) rounded to float where they meet a tensor.
        let decay = Float(1 - settings.learningRate * settings.weightDecay)
        let beta1 = Float(settings.beta1), firstWeight = Float(1 - settings.beta1), beta2 = Float(settings.beta2), secondWeight = Float(1 - settings.beta2)
        let stepSize = Float(settings.learningRate / (1 - pow(settings.beta1, Double(step))))
        let secondCorrectionRoot = Float((1 - pow(settings.beta2, Double(step))).squareRoot())
        let epsilon = Float(settings.epsilon)
        parameter.elements.withUnsafeMutableBufferPointer { values in
            moments.first.withUnsafeMutableBufferPointer { firstMoment in
                moments.second.withUnsafeMutableBufferPointer { secondMoment in
                    gradient.elements.withUnsafeBufferPointer { gradients in
                        nonisolated(unsafe) let (values, firstMoment, secondMoment) = (values, firstMoment, secondMoment)
                        split.forEachRange(of: values.count) { range in
                            for index in range {
                                let g = gradients[index]
                                values[index] *= decay
                                firstMoment[index] = firstMoment[index] * beta1 + g * firstWeight
                                secondMoment[index] = secondMoment[index] * beta2 + g * g * secondWeight
                                let denominator = secondMoment[index].squareRoot() / secondCorrectionRoot + epsilon
                                values[index] += -stepSize * (firstMoment[index] / denominator)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Tensor {
    /// For kernels that build a buffer of exactly the shape's count.
    init(unchecked shape: [Int], _ elements: [Float]) {
        self.shape = shape
        self.elements = elements
    }
}

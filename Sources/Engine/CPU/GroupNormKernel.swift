/// GroupNorm over NC(spatial) tensors: a group's channels are one contiguous block per sample,
/// so each (sample, group) is normalised on its own lane. Sums are taken in Double (two passes
/// for the variance), which keeps the result within float rounding of PyTorch's.
struct GroupNormKernel {
    let split: WorkSplit

    /// Writes y and returns the per-(sample, group) mean and 1/sqrt(var + eps), the backward pass's inputs.
    func forward(input: UnsafeBufferPointer<Float>, batch: Int, channels: Int, spatial: Int, groups: Int, epsilon: Float,
                 scale: UnsafeBufferPointer<Float>, shift: UnsafeBufferPointer<Float>,
                 output: UnsafeMutableBufferPointer<Float>) -> (mean: [Float], inverseDeviation: [Float]) {
        let perGroup = channels / groups, blockCount = perGroup * spatial
        var mean = [Float](repeating: 0, count: batch * groups), inverse = mean
        nonisolated(unsafe) let output = output
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            inverse.withUnsafeMutableBufferPointer { inverseBuffer in
                nonisolated(unsafe) let (meanOut, inverseOut) = (meanBuffer, inverseBuffer)
                split.forEachTask(batch * groups) { block in
                    let start = block * blockCount
                    let values = input.baseAddress! + start
                    let blockMean = Self.laneSum(values, count: blockCount) { $0 } / Double(blockCount)
                    let squares = Self.laneSum(values, count: blockCount) { x in (x - blockMean) * (x - blockMean) }
                    let inverseDeviation = 1 / (squares / Double(blockCount) + Double(epsilon)).squareRoot()
                    meanOut[block] = Float(blockMean)
                    inverseOut[block] = Float(inverseDeviation)
                    let group = block % groups
                    for offset in 0..<perGroup {
                        let channel = group * perGroup + offset
                        let gain = inverseDeviation * Double(scale[channel])
                        let a = Float(gain), b = Float(Double(shift[channel]) - blockMean * gain)
                        let first = start + offset * spatial
                        Self.affine(input.baseAddress! + first, into: output.baseAddress! + first, count: spatial, scale: a, shift: b)
                    }
                }
            }
        }
        return (mean, inverse)
    }

    /// Σ term(x) over `count` floats in Double, as eight interleaved partial sums added up at the
    /// end: a fixed order (the same bits whatever the run or thread count) whose additions do not
    /// each wait on the one before, as a single running sum's do.
    @inline(__always)
    private static func laneSum(_ values: UnsafePointer<Float>, count: Int, _ term: (SIMD8<Double>) -> SIMD8<Double>) -> Double {
        let raw = UnsafeRawPointer(values), whole = count - count % 8
        var lanes = SIMD8<Double>(repeating: 0)
        for offset in stride(from: 0, to: whole, by: 8) {
            lanes += term(SIMD8<Double>(raw.loadUnaligned(fromByteOffset: offset * MemoryLayout<Float>.stride, as: SIMD8<Float>.self)))
        }
        var tail = SIMD8<Double>(repeating: 0)
        for index in whole..<count { tail[index - whole] = Double(values[index]) }
        let used = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7) .< SIMD8(repeating: Int64(count - whole))
        lanes += SIMD8<Double>(repeating: 0).replacing(with: term(tail), where: used)
        return lanes.sum()
    }

    /// `output[i] = input[i] · scale + shift` (`output` may be `input`), eight at a time.
    @inline(__always)
    private static func affine(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, count: Int, scale: Float, shift: Float) {
        let (from, to) = (UnsafeRawPointer(input), UnsafeMutableRawPointer(output))
        let whole = count - count % 8, stride = MemoryLayout<Float>.stride
        for offset in Swift.stride(from: 0, to: whole, by: 8) {
            let x = from.loadUnaligned(fromByteOffset: offset * stride, as: SIMD8<Float>.self)
            to.storeBytes(of: x * scale + shift, toByteOffset: offset * stride, as: SIMD8<Float>.self)
        }
        for index in whole..<count { output[index] = input[index] * scale + shift }
    }

    /// dx, and the per-channel gradients of the affine scale and shift (summed over the batch in sample order).
    func backward(input: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
                  batch: Int, channels: Int, spatial: Int, groups: Int,
                  scale: UnsafeBufferPointer<Float>, mean: [Float], inverseDeviation: [Float],
                  inputGradient: UnsafeMutableBufferPointer<Float>) -> (scale: [Float], shift: [Float]) {
        let perGroup = channels / groups, blockCount = Double(perGroup * spatial)
        // Per (sample, channel) sums, reduced over samples afterwards in order.
        var sumGradient = [Double](repeating: 0, count: batch * channels), sumGradientInput = sumGradient
        nonisolated(unsafe) let inputGradient = inputGradient
        sumGradient.withUnsafeMutableBufferPointer { sumGradientBuffer in
            sumGradientInput.withUnsafeMutableBufferPointer { sumGradientInputBuffer in
                nonisolated(unsafe) let (sumDy, sumDyX) = (sumGradientBuffer, sumGradientInputBuffer)
                split.forEachTask(batch * groups) { block in
                    let sample = block / groups, group = block % groups
                    let blockMean = Double(mean[block]), inverse = Double(inverseDeviation[block])
                    var meanScaledGradient = 0.0, meanScaledGradientXHat = 0.0
                    for offset in 0..<perGroup {
                        let channel = group * perGroup + offset
                        let first = (sample * channels + channel) * spatial
                        var dy = 0.0, dyx = 0.0
                        for index in first..<(first + spatial) {
                            let g = Double(outputGradient[index])
                            dy += g
                            dyx += g * Double(input[index])
                        }
                        sumDy[sample * channels + channel] = dy
                        sumDyX[sample * channels + channel] = dyx
                        let gamma = Double(scale[channel])
                        meanScaledGradient += gamma * dy
                        meanScaledGradientXHat += gamma * inverse * (dyx - blockMean * dy)
                    }
                    meanScaledGradient /= blockCount
                    meanScaledGradientXHat /= blockCount
                    // dx = rstd · (γ·dy − mean(γ·dy) − x̂ · mean(γ·dy·x̂)), written as dy·a + x·b + c.
                    for offset in 0..<perGroup {
                        let channel = group * perGroup + offset
                        let first = (sample * channels + channel) * spatial
                        let a = Float(inverse * Double(scale[channel]))
                        let b = Float(-inverse * inverse * meanScaledGradientXHat)
                        let c = Float(inverse * (inverse * blockMean * meanScaledGradientXHat - meanScaledGradient))
                        for index in first..<(first + spatial) {
                            inputGradient[index] = outputGradient[index] * a + input[index] * b + c
                        }
                    }
                }
            }
        }
        var scaleGradient = [Float](repeating: 0, count: channels), shiftGradient = scaleGradient
        for channel in 0..<channels {
            let groupIndex = channel / perGroup
            var dGamma = 0.0, dBeta = 0.0
            for sample in 0..<batch {
                let block = sample * groups + groupIndex
                let dy = sumGradient[sample * channels + channel], dyx = sumGradientInput[sample * channels + channel]
                dGamma += Double(inverseDeviation[block]) * (dyx - Double(mean[block]) * dy)
                dBeta += dy
            }
            scaleGradient[channel] = Float(dGamma)
            shiftGradient[channel] = Float(dBeta)
        }
        return (scaleGradient, shiftGradient)
    }
}

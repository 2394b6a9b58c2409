/// Trilinear ×2 upsampling with align_corners = false, PyTorch's definition: output index o reads
/// source position max(0, (o + 0.5)/2 − 0.5), between floor of it and the next index (the last
/// index repeats at the far edge). Trilinear interpolation is separable, so it runs as three 1D
/// passes (W, then H, then D); the backward pass applies their transposes in reverse order.
struct UpsampleKernel {
    let split: WorkSplit

    /// Source indices and weights of each output index along an axis of `length` inputs.
    struct AxisTaps {
        let lower: [Int], upper: [Int], lowerWeight: [Float], upperWeight: [Float]

        init(length: Int) {
            var lower: [Int] = [], upper: [Int] = [], lowerWeight: [Float] = [], upperWeight: [Float] = []
            for output in 0..<(2 * length) {
                let position = max(Float(0), (Float(output) + 0.5) * 0.5 - 0.5)
                let first = min(Int(position), length - 1)
                let fraction = position - Float(first)
                lower.append(first)
                upper.append(first < length - 1 ? first + 1 : first)
                lowerWeight.append(1 - fraction)
                upperWeight.append(fraction)
            }
            (self.lower, self.upper, self.lowerWeight, self.upperWeight) = (lower, upper, lowerWeight, upperWeight)
        }
    }

    func forward(input: [Float], layout: VolumeLayout) -> [Float] {
        let planes = layout.batch * layout.channels
        let (d, h, w) = (layout.depth, layout.height, layout.width)
        let alongWidth = pass(input, planes: planes, outer: d * h, length: w, inner: 1, transpose: false)
        let alongHeight = pass(alongWidth, planes: planes * d, outer: 1, length: h, inner: 2 * w, transpose: false)
        return pass(alongHeight, planes: planes, outer: 1, length: d, inner: 4 * h * w, transpose: false)
    }

    func backward(outputGradient: [Float], layout: VolumeLayout) -> [Float] {
        let planes = layout.batch * layout.channels
        let (d, h, w) = (layout.depth, layout.height, layout.width)
        let alongDepth = pass(outputGradient, planes: planes, outer: 1, length: d, inner: 4 * h * w, transpose: true)
        let alongHeight = pass(alongDepth, planes: planes * d, outer: 1, length: h, inner: 2 * w, transpose: true)
        return pass(alongHeight, planes: planes, outer: d * h, length: w, inner: 1, transpose: true)
    }

    /// One axis: the data is `planes × outer × length × inner` (input side); the axis doubles.
    /// Forward interpolates; transpose scatters each output's value back to its two sources.
    private func pass(_ data: [Float], planes: Int, outer: Int, length: Int, inner: Int, transpose: Bool) -> [Float] {
        let taps = AxisTaps(length: length)
        let shortBlock = length * inner, longBlock = 2 * shortBlock
        let blocks = planes * outer
        var result = [Float](repeating: 0, count: transpose ? blocks * shortBlock : blocks * longBlock)
        data.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                nonisolated(unsafe) let target = target
                split.forEachTask(planes) { plane in
                    for block in (plane * outer)..<((plane + 1) * outer) {
                        let short = block * shortBlock, long = block * longBlock
                        for output in 0..<(2 * length) {
                            let lower = taps.lower[output] * inner, upper = taps.upper[output] * inner
                            let a = taps.lowerWeight[output], b = taps.upperWeight[output]
                            let row = long + output * inner
                            if transpose {
                                for i in 0..<inner {
                                    let g = source[row + i]
                                    target[short + lower + i] += a * g
                                    target[short + upper + i] += b * g
                                }
                            } else {
                                for i in 0..<inner {
                                    target[row + i] = a * source[short + lower + i] + b * source[short + upper + i]
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// MaxPool3d with a 2×2×2 window and stride 2 (odd trailing planes dropped, as PyTorch does).
/// Each output remembers which of its eight inputs won, for the backward pass; ties go to the
/// first in (d, h, w) order and a NaN (the last one) wins, as in PyTorch's CPU kernel.
struct MaxPoolKernel {
    let split: WorkSplit

    func forward(input: UnsafeBufferPointer<Float>, layout: VolumeLayout, output: UnsafeMutableBufferPointer<Float>,
                 winners: UnsafeMutableBufferPointer<UInt8>) {
        let pooled = layout.pooled
        let inSpatial = layout.spatialCount, outSpatial = pooled.spatialCount
        let (height, width) = (layout.height, layout.width)
        let taps = layout.windowOffsets
        nonisolated(unsafe) let (output, winners) = (output, winners)
        split.forEachTask(layout.batch * layout.channels) { plane in
            let source = plane * inSpatial, target = plane * outSpatial
            var index = target
            for d in 0..<pooled.depth {
                for h in 0..<pooled.height {
                    for w in 0..<pooled.width {
                        let corner = source + ((2 * d) * height + 2 * h) * width + 2 * w
                        var best = -Float.infinity, winner: UInt8 = 0
                        for tap in 0..<8 {
                            let value = input[corner + taps[tap]]
                            if value > best || value.isNaN {
                                best = value
                                winner = UInt8(tap)
                            }
                        }
                        output[index] = best
                        winners[index] = winner
                        index += 1
                    }
                }
            }
        }
    }

    func backward(outputGradient: UnsafeBufferPointer<Float>, winners: UnsafeBufferPointer<UInt8>, layout: VolumeLayout,
                  inputGradient: UnsafeMutableBufferPointer<Float>) {
        let pooled = layout.pooled
        let inSpatial = layout.spatialCount, outSpatial = pooled.spatialCount
        let (height, width) = (layout.height, layout.width)
        let taps = layout.windowOffsets
        nonisolated(unsafe) let inputGradient = inputGradient
        split.forEachTask(layout.batch * layout.channels) { plane in
            let target = plane * inSpatial
            (inputGradient.baseAddress! + target).update(repeating: 0, count: inSpatial)
            var index = plane * outSpatial
            for d in 0..<pooled.depth {
                for h in 0..<pooled.height {
                    for w in 0..<pooled.width {
                        let corner = target + ((2 * d) * height + 2 * h) * width + 2 * w
                        inputGradient[corner + taps[Int(winners[index])]] = outputGradient[index]
                        index += 1
                    }
                }
            }
        }
    }
}

extension VolumeLayout {
    /// The layout after a 2×2×2, stride-2 max pool.
    var pooled: VolumeLayout { VolumeLayout(batch: batch, channels: channels, depth: depth / 2, height: height / 2, width: width / 2) }

    /// Offsets of a 2×2×2 window's inputs from its first corner, in (d, h, w) order.
    var windowOffsets: [Int] {
        (0..<8).map { tap in (tap >> 2) * height * width + ((tap >> 1) & 1) * width + (tap & 1) }
    }

    /// The layout after ×2 upsampling.
    var upsampled: VolumeLayout { VolumeLayout(batch: batch, channels: channels, depth: depth * 2, height: height * 2, width: width * 2) }
}

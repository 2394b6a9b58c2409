/// A loss and its gradient with respect to the prediction.
public struct LossValue: Sendable, Equatable {
    public let value: Float
    public let gradient: Tensor
}

/// The training losses (issue 13: MSE + 0.1·mean(ReLU(−prediction)); issue 31 adds the PTV
/// underdose term as an option). Means are over every element, as PyTorch's default reduction.
public enum Loss {
    /// mean((prediction − target)²).
    public static func meanSquaredError(prediction: Tensor, target: Tensor, on backend: some ComputeBackend) throws -> LossValue {
        try target.expectShape(prediction.shape, role: "MSE target")
        return backend.meanSquaredError(prediction: prediction, target: target)
    }

    /// mean(ReLU(−prediction)): penalises negative dose. Its gradient at exactly 0 is 0 (ReLU's).
    public static func negativePenalty(prediction: Tensor, on backend: some ComputeBackend) -> LossValue {
        backend.negativePenalty(prediction: prediction)
    }
}

extension Loss {
    /// The network input's channel holding PTV70's signed distance (CT is channel 0, PTV70 the
    /// first structure); the spec makes `sdf < 0` exactly the PTV70 mask.
    public static let ptv70InputChannel = 1

    /// The asymmetric PTV term the earlier study planned: underdose inside PTV70 only,
    /// Σ_{v ∈ PTV70} ReLU(target − prediction)² / |PTV70|, over the batch's PTV70 voxels (0 when a
    /// batch holds none). Overdose and dose outside the target cost nothing here; the MSE sees them.
    /// Gradient: −2·ReLU(target − prediction)/|PTV70| at PTV70 voxels, 0 elsewhere.
    /// `input` is the batch's network input (B, C, spatial), read only for PTV70's SDF.
    public static func ptvUnderdose(prediction: Tensor, target: Tensor, input: Tensor) throws -> LossValue {
        try target.expectShape(prediction.shape, role: "PTV underdose target")
        let layout = try VolumeLayout(of: input, role: "PTV underdose input")
        guard layout.channels > ptv70InputChannel else {
            throw EngineError.shape(role: "PTV underdose input (needs the PTV70 SDF channel \(ptv70InputChannel))", expected: "(B, ≥ 2, D, H, W)",
                                    found: input.shape)
        }
        try prediction.expectShape(layout.with(channels: 1).shape, role: "PTV underdose prediction")
        let voxels = layout.spatialCount
        var gradient = [Float](repeating: 0, count: prediction.count)
        var inside = 0, sum = 0.0
        for sample in 0..<layout.batch {
            let sdf = (sample * layout.channels + ptv70InputChannel) * voxels
            for voxel in 0..<voxels where input.elements[sdf + voxel] < 0 {
                let index = sample * voxels + voxel
                let shortfall = max(0, target.elements[index] - prediction.elements[index])
                sum += Double(shortfall * shortfall)
                gradient[index] = shortfall
                inside += 1
            }
        }
        guard inside > 0 else { return LossValue(value: 0, gradient: Tensor(unchecked: prediction.shape, gradient)) }
        let scale = -2 / Float(inside)
        return LossValue(value: Float(sum / Double(inside)), gradient: Tensor(unchecked: prediction.shape, gradient.map { $0 * scale }))
    }
}

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

    /// The targets the PTV underdose term covers.
    public enum PTVTargets: String, Sendable, Codable, CaseIterable {
        /// PTV70 only, as the earlier study planned the term (and as runs before it had a choice).
        case ptv70
        /// Every target present, each at its own dose: PTV70, PTV56 and PTV50.4. Without it a
        /// model learns the lower targets' plateaus last (they are small next to PTV70's fall-off).
        case all

        /// Their signed distances' channels in the network input (CT, then the standard order;
        /// a target the case lacks is filled with 0, so no voxel of it is inside).
        public var inputChannels: [Int] {
            switch self {
            case .ptv70: return [ptv70InputChannel]
            case .all: return [ptv70InputChannel, 2, 9]
            }
        }
    }

    /// The asymmetric PTV term the earlier study planned: underdose inside the targets,
    /// Σ_{v ∈ T} ReLU(target − prediction)² / |T| over the batch's voxels T inside any of `targets`
    /// (their SDF < 0; 0 when a batch holds none). Each voxel counts once and is held to its own
    /// reference dose, so PTV56 is held to 56 Gy, not 70. Overdose and dose outside the targets cost
    /// nothing here; the MSE sees them. Gradient: −2·ReLU(target − prediction)/|T| at those
    /// voxels, 0 elsewhere. `input` is the batch's network input (B, C, spatial), read only for the
    /// targets' SDFs; channels it lacks are skipped.
    public static func ptvUnderdose(prediction: Tensor, target: Tensor, input: Tensor, targets: PTVTargets = .ptv70) throws -> LossValue {
        try target.expectShape(prediction.shape, role: "PTV underdose target")
        let layout = try VolumeLayout(of: input, role: "PTV underdose input")
        guard layout.channels > ptv70InputChannel else {
            throw EngineError.shape(role: "PTV underdose input (needs the PTV70 SDF channel \(ptv70InputChannel))", expected: "(B, ≥ 2, D, H, W)",
                                    found: input.shape)
        }
        try prediction.expectShape(layout.with(channels: 1).shape, role: "PTV underdose prediction")
        let voxels = layout.spatialCount
        let channels = targets.inputChannels.filter { $0 < layout.channels }
        var gradient = [Float](repeating: 0, count: prediction.count)
        var inside = 0, sum = 0.0
        for sample in 0..<layout.batch {
            let starts = channels.map { (sample * layout.channels + $0) * voxels }
            for voxel in 0..<voxels where starts.contains(where: { input.elements[$0 + voxel] < 0 }) {
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

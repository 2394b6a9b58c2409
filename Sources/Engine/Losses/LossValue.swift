/// A loss and its gradient with respect to the prediction.
public struct LossValue: Sendable, Equatable {
    public let value: Float
    public let gradient: Tensor
}

/// The training losses (issue 13: MSE + 0.1·mean(ReLU(−prediction))). Means are over every
/// element, as PyTorch's default reduction.
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

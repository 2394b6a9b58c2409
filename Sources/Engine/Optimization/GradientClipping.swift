/// `torch.nn.utils.clip_grad_norm_`: the L2 norm over every gradient element; when it exceeds
/// `maxNorm`, every gradient is scaled by maxNorm / (norm + 1e-6).
public enum GradientClipping {
    /// Clips in place and returns the norm before clipping.
    @discardableResult
    public static func clipNorm(_ gradients: inout [Tensor], maxNorm: Float, on backend: some ComputeBackend) throws -> Float {
        guard maxNorm > 0, maxNorm.isFinite else {
            throw EngineError.invalidSetting(name: "gradient clipping max norm", expected: "a positive number", found: "\(maxNorm)")
        }
        let total = Float(gradients.reduce(0.0) { $0 + backend.sumOfSquares($1) }.squareRoot())
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            gradients = gradients.map { backend.scaled($0, by: coefficient) }
        }
        return total
    }
}

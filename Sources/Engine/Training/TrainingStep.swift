/// One optimisation step of BaselineUNet3D with the study's loss (issue 13): forward, loss
/// MSE + weight·mean(ReLU(−prediction)), backward, gradient-norm clipping, AdamW.
public enum TrainingStep {
    public struct Result: Sendable, Equatable {
        public let loss: Float
        /// The gradient norm before clipping.
        public let gradientNorm: Float
    }

    public static func run(model: inout BaselineUNet3D, optimizer: inout AdamW, input: Tensor, constraints: Tensor, target: Tensor,
                           negativePenaltyWeight: Float = 0.1, maxGradientNorm: Float = 1, on backend: some ComputeBackend) throws -> Result {
        // Parameters and optimiser moments in PyTorch's registration order.
        let names = model.configuration.parameterShapes.map(\.name)
        // The forward trace (every activation) lives only in this scope: clipping and AdamW run
        // without it, as PyTorch frees its graph after backward.
        var (loss, gradients): (Float, [Tensor]) = try {
            var trace = try model.forwardTrace(input, constraints: constraints, on: backend)
            let mse = try Loss.meanSquaredError(prediction: trace.output, target: target, on: backend)
            let penalty = Loss.negativePenalty(prediction: trace.output, on: backend)
            let outputGradient = try ResidualAdd.forward(mse.gradient, backend.scaled(penalty.gradient, by: negativePenaltyWeight), on: backend)
            var byName = try model.gradients(releasing: &trace, outputGradient: outputGradient, on: backend)
            // Moved out of the dictionary, so clipping scales each gradient in place.
            let ordered = try names.map { name in
                guard let gradient = byName.removeValue(forKey: name) else {
                    throw EngineError.invalidSetting(name: "gradients", expected: name, found: "none")
                }
                return gradient
            }
            return (mse.value + negativePenaltyWeight * penalty.value, ordered)
        }()
        let norm = try GradientClipping.clipNorm(&gradients, maxNorm: maxGradientNorm, on: backend)
        try model.updateParameters { parameters in try optimizer.update(&parameters, gradients: gradients, on: backend) }
        return Result(loss: loss, gradientNorm: norm)
    }
}

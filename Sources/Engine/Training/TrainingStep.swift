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
        let trace = try model.forwardTrace(input, constraints: constraints, on: backend)
        let mse = try Loss.meanSquaredError(prediction: trace.output, target: target, on: backend)
        let penalty = Loss.negativePenalty(prediction: trace.output, on: backend)
        let outputGradient = try ResidualAdd.forward(mse.gradient, backend.scaled(penalty.gradient, by: negativePenaltyWeight), on: backend)
        let byName = try model.gradients(of: trace, outputGradient: outputGradient, on: backend)
        // Parameters and optimiser moments in PyTorch's registration order.
        let names = model.configuration.parameterShapes.map(\.name)
        var gradients = try names.map { name in
            guard let gradient = byName[name] else { throw EngineError.invalidSetting(name: "gradients", expected: name, found: "none") }
            return gradient
        }
        let norm = try GradientClipping.clipNorm(&gradients, maxNorm: maxGradientNorm, on: backend)
        var parameters = try names.map { name in
            guard let parameter = model.parameters[name] else { throw EngineError.invalidSetting(name: "parameters", expected: name, found: "none") }
            return parameter
        }
        try optimizer.update(&parameters, gradients: gradients, on: backend)
        model = try BaselineUNet3D(configuration: model.configuration, parameters: Dictionary(uniqueKeysWithValues: zip(names, parameters)))
        return Result(loss: mse.value + negativePenaltyWeight * penalty.value, gradientNorm: norm)
    }
}

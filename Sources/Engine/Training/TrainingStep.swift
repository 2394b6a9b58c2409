import Foundation

/// One optimisation step of BaselineUNet3D with the study's loss (issue 13): forward, loss
/// MSE + weight·mean(ReLU(−prediction)) [+ weight·PTV underdose, `Loss.ptvUnderdose`], backward,
/// gradient-norm clipping, AdamW.
public enum TrainingStep {
    public struct Result: Sendable, Equatable {
        public let loss: Float
        /// The gradient norm before clipping.
        public let gradientNorm: Float
        /// Wall time of the step's phases (not part of equality: the same step takes other times).
        public let seconds: PhaseSeconds

        public static func == (left: Result, right: Result) -> Bool { left.loss == right.loss && left.gradientNorm == right.gradientNorm }
    }

    /// Where a step's time goes; `read` is the trainer's (cutting the batch's patches).
    public struct PhaseSeconds: Sendable, Equatable {
        public var read = 0.0, forward = 0.0, backward = 0.0, optimizer = 0.0

        public init(read: Double = 0, forward: Double = 0, backward: Double = 0, optimizer: Double = 0) {
            (self.read, self.forward, self.backward, self.optimizer) = (read, forward, backward, optimizer)
        }

        public static func + (left: PhaseSeconds, right: PhaseSeconds) -> PhaseSeconds {
            PhaseSeconds(read: left.read + right.read, forward: left.forward + right.forward, backward: left.backward + right.backward,
                         optimizer: left.optimizer + right.optimizer)
        }
    }

    public static func run(model: inout BaselineUNet3D, optimizer: inout AdamW, input: Tensor, constraints: Tensor, target: Tensor,
                           negativePenaltyWeight: Float = 0.1, ptvUnderdoseWeight: Float = 0, ptvUnderdoseTargets: Loss.PTVTargets = .ptv70,
                           maxGradientNorm: Float = 1,
                           on backend: some ComputeBackend) throws -> Result {
        // Parameters and optimiser moments in PyTorch's registration order.
        let names = model.configuration.parameterShapes.map(\.name)
        // The forward trace (every activation) lives only in this scope: clipping and AdamW run
        // without it, as PyTorch frees its graph after backward.
        var seconds = PhaseSeconds()
        var clock = Date()
        func lap() -> Double {
            let now = Date()
            defer { clock = now }
            return now.timeIntervalSince(clock)
        }
        var (loss, gradients): (Float, [Tensor]) = try {
            var trace = try model.forwardTrace(input, constraints: constraints, on: backend)
            let mse = try Loss.meanSquaredError(prediction: trace.output, target: target, on: backend)
            let penalty = Loss.negativePenalty(prediction: trace.output, on: backend)
            var outputGradient = try ResidualAdd.forward(mse.gradient, backend.scaled(penalty.gradient, by: negativePenaltyWeight), on: backend)
            var loss = mse.value + negativePenaltyWeight * penalty.value
            if ptvUnderdoseWeight > 0 {
                let underdose = try Loss.ptvUnderdose(prediction: trace.output, target: target, input: input, targets: ptvUnderdoseTargets)
                outputGradient = try ResidualAdd.forward(outputGradient, backend.scaled(underdose.gradient, by: ptvUnderdoseWeight), on: backend)
                loss += ptvUnderdoseWeight * underdose.value
            }
            seconds.forward = lap()
            var byName = try model.gradients(releasing: &trace, outputGradient: outputGradient, on: backend)
            // Moved out of the dictionary, so clipping scales each gradient in place.
            let ordered = try names.map { name in
                guard let gradient = byName.removeValue(forKey: name) else {
                    throw EngineError.inconsistentState(what: "gradients", expected: name, found: "none")
                }
                return gradient
            }
            return (loss, ordered)
        }()
        seconds.backward = lap()
        let norm = try GradientClipping.clipNorm(&gradients, maxNorm: maxGradientNorm, on: backend)
        try model.updateParameters { parameters in try optimizer.update(&parameters, gradients: gradients, on: backend) }
        seconds.optimizer = lap()
        return Result(loss: loss, gradientNorm: norm, seconds: seconds)
    }
}

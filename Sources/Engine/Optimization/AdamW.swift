/// AdamW (Loshchilov & Hutter): Adam with weight decay decoupled from the gradient, as
/// `torch.optim.AdamW` computes it (defaults: betas 0.9 / 0.999, eps 1e-8, weight decay 1e-2).
/// One moment pair per parameter tensor, in the order the parameters are given.
public struct AdamW: Sendable, Equatable {
    public struct Settings: Sendable, Equatable, Codable {
        public var learningRate: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        public var weightDecay: Double

        public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 1e-2) {
            (self.learningRate, self.beta1, self.beta2, self.epsilon, self.weightDecay) = (learningRate, beta1, beta2, epsilon, weightDecay)
        }
    }

    /// Running means of the gradient and of its square, one element per parameter element.
    public struct Moments: Sendable, Equatable {
        public var first: [Float]
        public var second: [Float]
    }

    /// The learning rate may change between steps (a schedule); the rest stays.
    public var settings: Settings
    /// Steps taken so far (PyTorch's `state["step"]`).
    public private(set) var step = 0
    public private(set) var moments: [Moments] = []

    public init(settings: Settings = Settings()) throws {
        guard settings.learningRate >= 0, (0..<1).contains(settings.beta1), (0..<1).contains(settings.beta2),
              settings.epsilon > 0, settings.weightDecay >= 0 else {
            throw EngineError.invalidSetting(name: "AdamW", expected: "lr ≥ 0, betas in [0, 1), eps > 0, weight decay ≥ 0", found: "\(settings)")
        }
        self.settings = settings
    }

    /// Restores a saved optimiser (a checkpoint's sidecar).
    public init(settings: Settings, step: Int, moments: [Moments]) throws {
        try self.init(settings: settings)
        guard step >= 0 else { throw EngineError.invalidSetting(name: "AdamW step", expected: "≥ 0", found: "\(step)") }
        self.step = step
        self.moments = moments
    }

    /// One step over every parameter with its gradient.
    public mutating func update(_ parameters: inout [Tensor], gradients: [Tensor], on backend: some ComputeBackend) throws {
        guard gradients.count == parameters.count else {
            throw EngineError.inconsistentState(what: "AdamW gradients", expected: "\(parameters.count) tensors", found: "\(gradients.count)")
        }
        if moments.isEmpty {
            moments = parameters.map { Moments(first: [Float](repeating: 0, count: $0.count), second: [Float](repeating: 0, count: $0.count)) }
        }
        guard moments.count == parameters.count else {
            throw EngineError.inconsistentState(what: "AdamW state", expected: "\(parameters.count) moment pairs", found: "\(moments.count)")
        }
        for index in parameters.indices {
            try gradients[index].expectShape(parameters[index].shape, role: "AdamW gradient \(index)")
            guard moments[index].first.count == parameters[index].count, moments[index].second.count == parameters[index].count else {
                throw EngineError.inconsistentState(what: "AdamW state \(index)", expected: "\(parameters[index].count) elements",
                                                 found: "\(moments[index].first.count)")
            }
        }
        step += 1
        for index in parameters.indices {
            backend.adamWUpdate(parameter: &parameters[index], gradient: gradients[index], moments: &moments[index], step: step, settings: settings)
        }
    }
}

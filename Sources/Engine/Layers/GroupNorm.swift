/// GroupNorm with a per-channel affine scale (γ) and shift (β): each sample's channels are split
/// into `groups` equal runs, each normalised over its channels and every voxel (biased variance,
/// ε = 1e-5 as in PyTorch).
public struct GroupNorm: Sendable, Equatable {
    public var scale: Tensor
    public var shift: Tensor
    public let groups: Int
    public let epsilon: Float

    /// What the backward pass needs from the forward pass: per (sample, group) mean and 1/σ.
    public struct Statistics: Sendable, Equatable {
        public let mean: [Float], inverseDeviation: [Float]
    }

    public struct Gradients: Sendable, Equatable {
        public let input: Tensor, scale: Tensor, shift: Tensor
    }

    public var channels: Int { scale.count }

    public init(groups: Int, scale: Tensor, shift: Tensor, epsilon: Float = 1e-5) throws {
        guard scale.rank == 1, scale.count > 0 else { throw EngineError.shape(role: "GroupNorm weight", expected: "(C)", found: scale.shape) }
        guard shift.shape == scale.shape else { throw EngineError.mismatch(role: "GroupNorm bias", expected: scale.shape, found: shift.shape) }
        guard groups > 0, scale.count % groups == 0 else {
            throw EngineError.invalidSetting(name: "GroupNorm groups", expected: "a divisor of \(scale.count) channels", found: "\(groups)")
        }
        (self.groups, self.scale, self.shift, self.epsilon) = (groups, scale, shift, epsilon)
    }

    /// γ = 1, β = 0 (PyTorch's initialisation).
    public init(groups: Int, channels: Int) throws {
        try self.init(groups: groups, scale: Tensor(repeating: 1, shape: [channels]), shift: .zeros([channels]))
    }

    public func forward(_ input: Tensor, on backend: some ComputeBackend) throws -> (output: Tensor, statistics: Statistics) {
        try checkInput(input)
        return backend.groupNormForward(input: input, groups: groups, epsilon: epsilon, scale: scale, shift: shift)
    }

    /// The same normalisation over `tensor` itself (inference: no statistics kept).
    public func forward(inPlace tensor: inout Tensor, on backend: some ComputeBackend) throws {
        try checkInput(tensor)
        backend.groupNormForward(inPlace: &tensor, groups: groups, epsilon: epsilon, scale: scale, shift: shift)
    }

    public func backward(input: Tensor, statistics: Statistics, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Gradients {
        try checkInput(input)
        try outputGradient.expectShape(input.shape, role: "GroupNorm output gradient")
        guard statistics.mean.count == input.shape[0] * groups, statistics.inverseDeviation.count == statistics.mean.count else {
            throw EngineError.inconsistentState(what: "GroupNorm statistics", expected: "\(input.shape[0] * groups) groups",
                                             found: "\(statistics.mean.count)")
        }
        return backend.groupNormBackward(input: input, groups: groups, scale: scale, statistics: statistics, outputGradient: outputGradient)
    }

    private func checkInput(_ input: Tensor) throws {
        guard input.rank >= 2, input.shape[0] > 0, input.shape[1] == channels, input.count > 0 else {
            throw EngineError.shape(role: "GroupNorm input", expected: "(N, \(channels), …)", found: input.shape)
        }
    }
}

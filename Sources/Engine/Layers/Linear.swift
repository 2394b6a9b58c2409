import Support
import Dosimetry

/// y = x·Wᵀ + b on (N, in) rows; W is (out, in), PyTorch's layout.
public struct Linear: Sendable, Equatable {
    public var weight: Tensor
    public var bias: Tensor

    public typealias Gradients = WeightedLayerGradients

    public var inputFeatures: Int { weight.shape[1] }
    public var outputFeatures: Int { weight.shape[0] }

    public init(weight: Tensor, bias: Tensor) throws {
        guard weight.rank == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
            throw EngineError.shape(role: "Linear weight", expected: "(out, in)", found: weight.shape)
        }
        guard bias.shape == [weight.shape[0]] else { throw EngineError.mismatch(role: "Linear bias", expected: [weight.shape[0]], found: bias.shape) }
        (self.weight, self.bias) = (weight, bias)
    }

    /// PyTorch's default initialisation, U(±1/√in) for weights and bias, from the seeded generator.
    public init(inputFeatures: Int, outputFeatures: Int, generator: inout SeededGenerator) throws {
        try self.init(weight: .uniform([outputFeatures, inputFeatures], fanIn: inputFeatures, generator: &generator),
                      bias: .uniform([outputFeatures], fanIn: inputFeatures, generator: &generator))
    }

    public func forward(_ input: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try checkInput(input)
        return backend.linearForward(input: input, weight: weight, bias: bias)
    }

    public func backward(input: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Gradients {
        try checkInput(input)
        try outputGradient.expectShape([input.shape[0], outputFeatures], role: "Linear output gradient")
        return backend.linearBackward(input: input, weight: weight, outputGradient: outputGradient)
    }

    private func checkInput(_ input: Tensor) throws {
        guard input.rank == 2, input.shape[0] > 0, input.shape[1] == inputFeatures else {
            throw EngineError.shape(role: "Linear input", expected: "(N, \(inputFeatures))", found: input.shape)
        }
    }
}

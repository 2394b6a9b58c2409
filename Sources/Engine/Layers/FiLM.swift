/// Feature-wise linear modulation: h·(1 + scale) + shift, with one scale and shift per sample and
/// channel (N, C) applied over every voxel of that channel.
public enum FiLM {
    public struct Gradients: Sendable, Equatable {
        public let input: Tensor, scale: Tensor, shift: Tensor
    }

    public static func forward(_ input: Tensor, scale: Tensor, shift: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try check(input: input, scale: scale)
        try shift.expectShape(scale.shape, role: "FiLM shift")
        return backend.filmForward(input: input, scale: scale, shift: shift)
    }

    /// The same, over `tensor` itself (inference).
    public static func forward(inPlace tensor: inout Tensor, scale: Tensor, shift: Tensor, on backend: some ComputeBackend) throws {
        try check(input: tensor, scale: scale)
        try shift.expectShape(scale.shape, role: "FiLM shift")
        backend.filmForward(inPlace: &tensor, scale: scale, shift: shift)
    }

    public static func backward(input: Tensor, scale: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Gradients {
        try check(input: input, scale: scale)
        try outputGradient.expectShape(input.shape, role: "FiLM output gradient")
        return backend.filmBackward(input: input, scale: scale, outputGradient: outputGradient)
    }

    private static func check(input: Tensor, scale: Tensor) throws {
        guard input.rank >= 2 else { throw EngineError.shape(role: "FiLM input", expected: "(N, C, …)", found: input.shape) }
        try scale.expectShape([input.shape[0], input.shape[1]], role: "FiLM scale")
    }
}

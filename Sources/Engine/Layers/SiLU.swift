/// x·σ(x).
public enum SiLU {
    public static func forward(_ input: Tensor, on backend: some ComputeBackend) -> Tensor {
        backend.siluForward(input)
    }

    /// The same, over `tensor` itself (inference).
    public static func forward(inPlace tensor: inout Tensor, on backend: some ComputeBackend) {
        backend.siluForward(inPlace: &tensor)
    }

    public static func backward(input: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try outputGradient.expectShape(input.shape, role: "SiLU output gradient")
        return backend.siluBackward(input: input, outputGradient: outputGradient)
    }
}

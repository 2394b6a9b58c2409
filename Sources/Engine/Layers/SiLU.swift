/// x·σ(x).
public enum SiLU {
    public static func forward(_ input: Tensor, on backend: some ComputeBackend) -> Tensor {
        backend.siluForward(input)
    }

    public static func backward(input: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try outputGradient.expectShape(input.shape, role: "SiLU output gradient")
        return backend.siluBackward(input: input, outputGradient: outputGradient)
    }
}

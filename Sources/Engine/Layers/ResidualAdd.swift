/// The residual connection's sum; its gradient flows unchanged to both inputs.
public enum ResidualAdd {
    public static func forward(_ first: Tensor, _ second: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try second.expectShape(first.shape, role: "residual addend")
        return backend.add(first, second)
    }

    /// tensor = tensor + addend, over `tensor` itself (inference).
    public static func add(_ addend: Tensor, to tensor: inout Tensor, on backend: some ComputeBackend) throws {
        try addend.expectShape(tensor.shape, role: "residual addend")
        backend.add(addend, to: &tensor)
    }
}

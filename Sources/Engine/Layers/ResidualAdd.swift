/// The residual connection's sum; its gradient flows unchanged to both inputs.
public enum ResidualAdd {
    public static func forward(_ first: Tensor, _ second: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try second.expectShape(first.shape, role: "residual addend")
        return backend.add(first, second)
    }
}

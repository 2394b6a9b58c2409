/// Concatenation of two NC… tensors along channels (the decoder's [upsampled, skip]) and the
/// split of a gradient back into the two parts.
public enum ChannelConcat {
    public static func forward(_ first: Tensor, _ second: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        guard first.rank >= 2, second.rank == first.rank, first.shape[0] == second.shape[0],
              Array(first.shape.dropFirst(2)) == Array(second.shape.dropFirst(2)) else {
            throw EngineError.mismatch(role: "channel concatenation", expected: first.shape, found: second.shape)
        }
        return backend.concatenateChannels(first, second)
    }

    public static func backward(outputGradient: Tensor, firstChannels: Int, on backend: some ComputeBackend) throws -> (first: Tensor, second: Tensor) {
        try split(outputGradient, firstChannels: firstChannels, on: backend)
    }

    /// The first `firstChannels` channels and the rest (FiLM's scale and shift, a gradient's two parts).
    public static func split(_ tensor: Tensor, firstChannels: Int, on backend: some ComputeBackend) throws -> (first: Tensor, second: Tensor) {
        guard tensor.rank >= 2, (0...tensor.shape[1]).contains(firstChannels) else {
            throw EngineError.shape(role: "channel split", expected: "at least \(firstChannels) channels", found: tensor.shape)
        }
        return backend.splitChannels(tensor, firstChannels: firstChannels)
    }
}

/// MaxPool3d(2): 2×2×2 windows, stride 2, on NCDHW volumes.
public enum MaxPool3d {
    /// The pooled volume and which input of each window won (the backward pass routes to it).
    public struct Output: Sendable, Equatable {
        public let output: Tensor
        public let winners: [UInt8]
    }

    public static func forward(_ input: Tensor, on backend: some ComputeBackend) throws -> Output {
        let layout = try checkedLayout(of: input)
        let (output, winners) = backend.maxPoolForward(input: input, layout: layout)
        return Output(output: output, winners: winners)
    }

    public static func backward(input: Tensor, forward: Output, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try checkedLayout(of: input)
        try outputGradient.expectShape(layout.pooled.shape, role: "MaxPool3d output gradient")
        guard forward.winners.count == outputGradient.count else {
            throw EngineError.inconsistentState(what: "MaxPool3d winners", expected: "\(outputGradient.count)", found: "\(forward.winners.count)")
        }
        return backend.maxPoolBackward(layout: layout, winners: forward.winners, outputGradient: outputGradient)
    }

    private static func checkedLayout(of input: Tensor) throws -> VolumeLayout {
        let layout = try VolumeLayout(of: input, role: "MaxPool3d input")
        guard layout.depth >= 2, layout.height >= 2, layout.width >= 2 else {
            throw EngineError.shape(role: "MaxPool3d input", expected: "every spatial axis at least 2", found: input.shape)
        }
        return layout
    }
}

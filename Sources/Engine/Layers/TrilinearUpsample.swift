/// Trilinear ×2 upsampling of NCDHW volumes with align_corners = false (PyTorch's
/// `F.interpolate(x, scale_factor=2, mode="trilinear")`), edges included.
public enum TrilinearUpsample {
    public static func forward(_ input: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try checkedLayout(of: input)
        return backend.upsampleForward(input: input, layout: layout)
    }

    public static func backward(input: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try checkedLayout(of: input)
        try outputGradient.expectShape(layout.upsampled.shape, role: "upsampling output gradient")
        return backend.upsampleBackward(layout: layout, outputGradient: outputGradient)
    }

    private static func checkedLayout(of input: Tensor) throws -> VolumeLayout {
        let layout = try VolumeLayout(of: input, role: "upsampling input")
        guard layout.batch * layout.channels > 0, layout.spatialCount > 0 else {
            throw EngineError.shape(role: "upsampling input", expected: "no empty axis", found: input.shape)
        }
        return layout
    }
}

/// The one seam between the model, trainer and records and the arithmetic: every kernel a layer
/// runs. Layers check shapes and call these; a GPU backend implements the same list (and keeps
/// its own storage behind `Tensor`'s elements) without touching the layers' callers.
public protocol ComputeBackend: Sendable {
    /// A short description for run records: backend, BLAS and threads.
    var summary: String { get }
    var threads: Int { get }

    func conv3dForward(input: Tensor, layout: VolumeLayout, weight: Tensor, bias: Tensor, kernelSize: Int) -> Tensor
    func conv3dBackward(input: Tensor, layout: VolumeLayout, weight: Tensor, kernelSize: Int, outputGradient: Tensor) -> Conv3d.Gradients
    /// Inference: the convolution of the channel concatenation [first, second] (`layout` is the
    /// concatenation's), read from the two tensors without building it.
    func conv3dForward(concatenating first: Tensor, _ second: Tensor, layout: VolumeLayout, weight: Tensor, bias: Tensor, kernelSize: Int) -> Tensor
    /// Inference: a 1×1×1 convolution of [first, second] written over `first`'s storage when one
    /// sample's output has no more channels than `first` (the decoder's residual, where the
    /// upsampled input is not read again), so it needs no activation-sized buffer of its own.
    func pointwiseConvForward(overwriting first: consuming Tensor, concatenatedWith second: Tensor, layout: VolumeLayout,
                              weight: Tensor, bias: Tensor) -> Tensor
    /// Largest im2col scratch a conv of this layout and kernel size holds (all lanes), in bytes.
    func conv3dScratchBytes(layout: VolumeLayout, kernelSize: Int) -> Int

    func linearForward(input: Tensor, weight: Tensor, bias: Tensor) -> Tensor
    func linearBackward(input: Tensor, weight: Tensor, outputGradient: Tensor) -> Linear.Gradients

    func groupNormForward(input: Tensor, groups: Int, epsilon: Float, scale: Tensor, shift: Tensor) -> (output: Tensor, statistics: GroupNorm.Statistics)
    func groupNormBackward(input: Tensor, groups: Int, scale: Tensor, statistics: GroupNorm.Statistics, outputGradient: Tensor) -> GroupNorm.Gradients

    func siluForward(_ input: Tensor) -> Tensor
    func siluBackward(input: Tensor, outputGradient: Tensor) -> Tensor

    func maxPoolForward(input: Tensor, layout: VolumeLayout) -> (output: Tensor, winners: [UInt8])
    func maxPoolBackward(layout: VolumeLayout, winners: [UInt8], outputGradient: Tensor) -> Tensor

    func upsampleForward(input: Tensor, layout: VolumeLayout) -> Tensor
    func upsampleBackward(layout: VolumeLayout, outputGradient: Tensor) -> Tensor

    /// Channel concatenation of two NC… tensors with the same batch and spatial extents, and its inverse.
    func concatenateChannels(_ first: Tensor, _ second: Tensor) -> Tensor
    func splitChannels(_ tensor: Tensor, firstChannels: Int) -> (first: Tensor, second: Tensor)

    func filmForward(input: Tensor, scale: Tensor, shift: Tensor) -> Tensor
    func filmBackward(input: Tensor, scale: Tensor, outputGradient: Tensor) -> FiLM.Gradients

    func add(_ first: Tensor, _ second: Tensor) -> Tensor
    // In-place forms for inference, where a layer's input is not read again: the same arithmetic as
    // the forms above, element for element, without a second activation-sized buffer.
    func groupNormForward(inPlace tensor: inout Tensor, groups: Int, epsilon: Float, scale: Tensor, shift: Tensor)
    func siluForward(inPlace tensor: inout Tensor)
    func filmForward(inPlace tensor: inout Tensor, scale: Tensor, shift: Tensor)
    /// tensor = tensor + addend.
    func add(_ addend: Tensor, to tensor: inout Tensor)
    func scaled(_ tensor: Tensor, by factor: Float) -> Tensor
    /// Σ x² in Double.
    func sumOfSquares(_ tensor: Tensor) -> Double

    func meanSquaredError(prediction: Tensor, target: Tensor) -> LossValue
    func negativePenalty(prediction: Tensor) -> LossValue

    func adamWUpdate(parameter: inout Tensor, gradient: Tensor, moments: inout AdamW.Moments, step: Int, settings: AdamW.Settings)
}

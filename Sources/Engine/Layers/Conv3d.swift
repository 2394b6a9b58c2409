import Support
import Dosimetry

/// A 3D convolution with bias, stride 1 and "same" padding: kernel 3×3×3 (padding 1) or 1×1×1.
/// Weights are (Cout, Cin, k, k, k), PyTorch's layout, so parameters move between the two as is.
public struct Conv3d: Sendable, Equatable {
    public var weight: Tensor
    public var bias: Tensor
    public let kernelSize: Int

    public typealias Gradients = WeightedLayerGradients

    public var inputChannels: Int { weight.shape[1] }
    public var outputChannels: Int { weight.shape[0] }

    /// Fails unless `weight` is (Cout, Cin, k, k, k) with an odd k and `bias` is (Cout).
    public init(weight: Tensor, bias: Tensor) throws {
        let shape = weight.shape
        guard shape.count == 5, shape[0] > 0, shape[1] > 0, shape[2] % 2 == 1, shape[2] == shape[3], shape[3] == shape[4] else {
            throw EngineError.shape(role: "Conv3d weight", expected: "(Cout, Cin, k, k, k) with an odd k", found: shape)
        }
        guard bias.shape == [shape[0]] else { throw EngineError.mismatch(role: "Conv3d bias", expected: [shape[0]], found: bias.shape) }
        (self.weight, self.bias, kernelSize) = (weight, bias, shape[2])
    }

    /// PyTorch's default initialisation (kaiming-uniform with a = √5, i.e. U(±1/√fan_in) for the
    /// weights and the bias), drawn from the seeded generator.
    public init(inputChannels: Int, outputChannels: Int, kernelSize: Int, generator: inout SeededGenerator) throws {
        let fanIn = inputChannels * kernelSize * kernelSize * kernelSize
        try self.init(weight: .uniform([outputChannels, inputChannels, kernelSize, kernelSize, kernelSize], fanIn: fanIn, generator: &generator),
                      bias: .uniform([outputChannels], fanIn: fanIn, generator: &generator))
    }

    public func forward(_ input: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try checkedLayout(of: input)
        return backend.conv3dForward(input: input, layout: layout, weight: weight, bias: bias, kernelSize: kernelSize)
    }

    /// Inference: the convolution of the channel concatenation [first, second], which is never built.
    public func forward(concatenating first: Tensor, _ second: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try concatenatedLayout(first, second)
        return backend.conv3dForward(concatenating: first, second, layout: layout, weight: weight, bias: bias, kernelSize: kernelSize)
    }

    /// Inference, 1×1×1 kernels: the same, written over `first`'s storage where it fits (the
    /// decoder's residual, once its conv1 has read the upsampled half for the last time).
    public func forward(overwriting first: consuming Tensor, concatenatedWith second: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        guard kernelSize == 1 else {
            throw EngineError.invalidSetting(name: "Conv3d over its input's storage", expected: "a 1×1×1 kernel", found: "\(kernelSize)³")
        }
        let layout = try concatenatedLayout(first, second)
        return backend.pointwiseConvForward(overwriting: first, concatenatedWith: second, layout: layout, weight: weight, bias: bias)
    }

    private func concatenatedLayout(_ first: Tensor, _ second: Tensor) throws -> VolumeLayout {
        let firstLayout = try VolumeLayout(of: first, role: "Conv3d input (first part)")
        let secondLayout = try VolumeLayout(of: second, role: "Conv3d input (second part)")
        guard firstLayout.with(channels: secondLayout.channels) == secondLayout else {
            throw EngineError.mismatch(role: "Conv3d input parts", expected: first.shape, found: second.shape)
        }
        return try checked(firstLayout.with(channels: firstLayout.channels + secondLayout.channels))
    }

    public func backward(input: Tensor, outputGradient: Tensor, on backend: some ComputeBackend) throws -> Gradients {
        let layout = try checkedLayout(of: input)
        try outputGradient.expectShape(layout.with(channels: outputChannels).shape, role: "Conv3d output gradient")
        return backend.conv3dBackward(input: input, layout: layout, weight: weight, kernelSize: kernelSize, outputGradient: outputGradient)
    }

    private func checkedLayout(of input: Tensor) throws -> VolumeLayout {
        try checked(VolumeLayout(of: input, role: "Conv3d input"))
    }

    private func checked(_ layout: VolumeLayout) throws -> VolumeLayout {
        guard layout.channels == inputChannels, layout.batch > 0, layout.spatialCount > 0 else {
            throw EngineError.shape(role: "Conv3d input", expected: "(N, \(inputChannels), D, H, W) with no empty axis", found: layout.shape)
        }
        return layout
    }
}

/// The gradients of a layer with a weight and a bias (Conv3d, Linear) and of its input.
public struct WeightedLayerGradients: Sendable, Equatable {
    public let input: Tensor, weight: Tensor, bias: Tensor
}

extension Tensor {
    /// Elements drawn from U(−bound, bound) by the seeded generator, in element order.
    public static func uniform(_ shape: [Int], bound: Double, generator: inout SeededGenerator) -> Tensor {
        var tensor = Tensor.zeros(shape)
        for index in tensor.elements.indices { tensor.elements[index] = Float(generator.nextUniform(-bound, bound)) }
        return tensor
    }

    /// U(−1/√fanIn, 1/√fanIn), PyTorch's default for conv and linear layers.
    static func uniform(_ shape: [Int], fanIn: Int, generator: inout SeededGenerator) -> Tensor {
        uniform(shape, bound: 1 / Double(max(1, fanIn)).squareRoot(), generator: &generator)
    }

    func expectShape(_ expected: [Int], role: String) throws {
        guard shape == expected else { throw EngineError.mismatch(role: role, expected: expected, found: shape) }
    }
}

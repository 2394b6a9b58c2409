import Dosimetry

/// The users' dose-prediction network (PyTorch `BaselineUNet3D`): a FiLM-conditioned residual
/// 3D U-Net (`UNetConfiguration`), its parameters held under PyTorch's `state_dict` names so
/// weights move between the two unchanged. Output: one channel, normalised dose, no activation.
public struct BaselineUNet3D: Sendable, Equatable {
    public let configuration: UNetConfiguration
    public private(set) var parameters: [String: Tensor]

    /// Fails unless `parameters` holds exactly the configuration's names with their shapes.
    public init(configuration: UNetConfiguration, parameters: [String: Tensor]) throws {
        let expected = configuration.parameterShapes
        for (name, shape) in expected {
            guard let tensor = parameters[name] else {
                throw EngineError.invalidSetting(name: "weights", expected: "a tensor named \(name) for \(configuration)", found: "none")
            }
            try tensor.expectShape(shape, role: "weights \(name)")
        }
        let known = Set(expected.map(\.name))
        if let extra = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw EngineError.invalidSetting(name: "weights", expected: "only the tensors of \(configuration)", found: "an extra tensor \(extra)")
        }
        self.configuration = configuration
        self.parameters = parameters
    }

    /// PyTorch's default initialisation (conv and linear U(±1/√fan_in), GroupNorm γ = 1, β = 0),
    /// drawn in registration order from the seeded generator.
    public init(configuration: UNetConfiguration, generator: inout SeededGenerator) throws {
        var parameters: [String: Tensor] = [:]
        for (name, shape) in configuration.parameterShapes {
            if name.contains(".norm") {
                parameters[name] = name.hasSuffix(".weight") ? Tensor(repeating: 1, shape: shape) : .zeros(shape)
            } else {
                // The fan-in of a bias is that of the weight it belongs to.
                let weightShape = name.hasSuffix(".bias")
                    ? configuration.parameterShapes.first { $0.name == name.dropLast(4) + "weight" }?.shape ?? shape
                    : shape
                parameters[name] = .uniform(shape, fanIn: weightShape.dropFirst().reduce(1, *), generator: &generator)
            }
        }
        try self.init(configuration: configuration, parameters: parameters)
    }

    /// y (N, 1, D, H, W) from x (N, inputChannels, D, H, W) and constraints (N, 13).
    public func forward(_ x: Tensor, constraints: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let layout = try VolumeLayout(of: x, role: "model input")
        let multiple = configuration.spatialMultiple
        guard layout.channels == configuration.inputChannels, layout.batch > 0,
              [layout.depth, layout.height, layout.width].allSatisfy({ $0 > 0 && $0 % multiple == 0 }) else {
            throw EngineError.shape(role: "model input",
                                    expected: "(N, \(configuration.inputChannels), D, H, W) with D, H, W multiples of \(multiple)", found: x.shape)
        }
        try constraints.expectShape([layout.batch, UNetConfiguration.constraintFeatures], role: "model constraints")

        let hidden = try linear("constraint_mlp.0").forward(constraints, on: backend)
        let condition = try linear("constraint_mlp.2").forward(SiLU.forward(hidden, on: backend), on: backend)
        let activatedCondition = SiLU.forward(condition, on: backend)

        var skips: [Tensor] = []
        var h = x
        for level in 1...configuration.depth {
            h = try block("enc\(level)", h, activatedCondition, on: backend)
            skips.append(h)
            h = try MaxPool3d.forward(h, on: backend).output
        }
        h = try block("bottleneck", h, activatedCondition, on: backend)
        for level in stride(from: configuration.depth, through: 1, by: -1) {
            let upsampled = try TrilinearUpsample.forward(h, on: backend)
            h = try block("dec\(level)", ChannelConcat.forward(upsampled, skips[level - 1], on: backend), activatedCondition, on: backend)
        }
        return try conv("out_conv").forward(h, on: backend)
    }

    /// conv1 → norm1 → SiLU → FiLM(cond) → conv2 → norm2 → SiLU, plus the residual (a 1×1×1
    /// conv when the width changes). `activatedCondition` is SiLU(cond), the first op of every
    /// block's `cond_mlp`, computed once.
    private func block(_ name: String, _ x: Tensor, _ activatedCondition: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        var h = try conv("\(name).conv1").forward(x, on: backend)
        h = SiLU.forward(try norm("\(name).norm1").forward(h, on: backend).output, on: backend)
        let modulation = try linear("\(name).cond_mlp.1").forward(activatedCondition, on: backend)
        let (scale, shift) = try ChannelConcat.split(modulation, firstChannels: modulation.shape[1] / 2, on: backend)
        h = try FiLM.forward(h, scale: scale, shift: shift, on: backend)
        h = try conv("\(name).conv2").forward(h, on: backend)
        h = SiLU.forward(try norm("\(name).norm2").forward(h, on: backend).output, on: backend)
        let skip = parameters["\(name).residual.weight"] == nil ? x : try conv("\(name).residual").forward(x, on: backend)
        return try ResidualAdd.forward(h, skip, on: backend)
    }

    private func tensor(_ name: String) throws -> Tensor {
        guard let tensor = parameters[name] else {
            throw EngineError.invalidSetting(name: "weights", expected: "a tensor named \(name)", found: "none")
        }
        return tensor
    }

    private func conv(_ prefix: String) throws -> Conv3d { try Conv3d(weight: tensor("\(prefix).weight"), bias: tensor("\(prefix).bias")) }
    private func linear(_ prefix: String) throws -> Linear { try Linear(weight: tensor("\(prefix).weight"), bias: tensor("\(prefix).bias")) }
    private func norm(_ prefix: String) throws -> GroupNorm {
        let scale = try tensor("\(prefix).weight")
        return try GroupNorm(groups: UNetConfiguration.groups(forChannels: scale.count), scale: scale, shift: tensor("\(prefix).bias"))
    }
}

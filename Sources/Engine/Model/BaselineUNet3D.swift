import Support
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
                throw EngineError.missingTensor(name: name, configuration: "\(configuration)")
            }
            try tensor.expectShape(shape, role: "weights \(name)")
        }
        let known = Set(expected.map(\.name))
        if let extra = parameters.keys.sorted().first(where: { !known.contains($0) }) {
            throw EngineError.unexpectedTensor(name: extra, configuration: "\(configuration)")
        }
        self.configuration = configuration
        self.parameters = parameters
    }

    /// Lets `update` change every parameter in place (an optimiser step, in PyTorch's registration
    /// order): the tensors are moved out of the model for the call, so the weights are not copied,
    /// and moved back afterwards, also when `update` throws. `update` keeps every shape (AdamW
    /// checks all of them before it changes anything).
    mutating func updateParameters(_ update: (inout [Tensor]) throws -> Void) rethrows {
        let names = configuration.parameterShapes.map(\.name)
        var moved = names.compactMap { parameters.removeValue(forKey: $0) }
        defer { for (name, tensor) in zip(names, moved) { parameters[name] = tensor } }
        try update(&moved)
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

    /// y (N, 1, D, H, W) from x (N, inputChannels, D, H, W) and constraints (N, 13). Keeps only
    /// what the remaining layers need (the encoder skips), unlike `forwardTrace`; `x` is released
    /// once the first block has read it.
    public func forward(_ x: consuming Tensor, constraints: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        try run(x, constraints: constraints, keepingIntermediates: false, on: backend).output
    }

    func checkInput(_ x: Tensor, constraints: Tensor) throws {
        let layout = try VolumeLayout(of: x, role: "model input")
        let multiple = configuration.spatialMultiple
        guard layout.channels == configuration.inputChannels, layout.batch > 0,
              [layout.depth, layout.height, layout.width].allSatisfy({ $0 > 0 && $0 % multiple == 0 }) else {
            throw EngineError.shape(role: "model input",
                                    expected: "(N, \(configuration.inputChannels), D, H, W) with D, H, W multiples of \(multiple)", found: x.shape)
        }
        try constraints.expectShape([layout.batch, UNetConfiguration.constraintFeatures], role: "model constraints")
    }

    private func tensor(_ name: String) throws -> Tensor {
        guard let tensor = parameters[name] else {
            throw EngineError.missingTensor(name: name, configuration: "\(configuration)")
        }
        return tensor
    }

    func conv(_ prefix: String) throws -> Conv3d { try Conv3d(weight: tensor("\(prefix).weight"), bias: tensor("\(prefix).bias")) }
    func linear(_ prefix: String) throws -> Linear { try Linear(weight: tensor("\(prefix).weight"), bias: tensor("\(prefix).bias")) }
    func norm(_ prefix: String) throws -> GroupNorm {
        let scale = try tensor("\(prefix).weight")
        return try GroupNorm(groups: UNetConfiguration.groups(forChannels: scale.count), scale: scale, shift: tensor("\(prefix).bias"))
    }
}

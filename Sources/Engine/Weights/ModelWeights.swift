import Foundation

/// BaselineUNet3D weights in safetensors files. `__metadata__` carries the preset, base width,
/// depth, input channels, the dataset version the weights were trained on and, for weights
/// trained on an in-plane resampled grid, `resample` (the factor), and `patch`, the training
/// patch (GroupNorm's statistics are a tile's, so `predict` tiles with it by default); weights without them
/// (as PyTorch's `save_file(model.state_dict())` writes them) load too, their shape inferred from
/// the tensor names and shapes.
public struct ModelWeights: Sendable, Equatable {
    public let model: BaselineUNet3D
    /// The `dsv-…` id of the dataset version the weights were trained on, when recorded.
    public let datasetVersion: String?
    /// The in-plane factor the weights were trained at (`train --resample`); `predict` resamples
    /// the same way and maps the prediction back to the case's grid.
    public let resampling: InPlaneResampling
    /// The patch extent (D, H, W) the weights were trained on, when recorded.
    public let trainingPatch: [Int]?

    public init(model: BaselineUNet3D, datasetVersion: String? = nil, resampling: InPlaneResampling = .native, trainingPatch: [Int]? = nil) {
        (self.model, self.datasetVersion, self.resampling, self.trainingPatch) = (model, datasetVersion, resampling, trainingPatch)
    }

    public static func read(path: String) throws -> ModelWeights {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafeTensorsError.unreadable(file: path) }
        return try decode([UInt8](data), file: path)
    }

    /// Weights from a file's bytes (`file` names it in errors).
    public static func decode(_ bytes: [UInt8], file path: String) throws -> ModelWeights {
        try from(SafeTensors.decode(bytes, file: path), file: path)
    }

    /// Weights from an already decoded safetensors file (`path` names it in errors).
    public static func from(_ file: SafeTensors, file path: String) throws -> ModelWeights {
        let inferred = try inferConfiguration(from: file.tensors, file: path)
        if let recorded = try recordedConfiguration(file.metadata, file: path), recorded != inferred {
            throw SafeTensorsError.malformed(file: path, reason: "__metadata__ says \(recorded), the tensors are \(inferred)")
        }
        var resampling = InPlaneResampling.native
        if let text = file.metadata["resample"] {
            guard let factor = Int(text), let recorded = try? InPlaneResampling(factor: factor) else {
                throw SafeTensorsError.malformed(file: path, reason: "__metadata__ resample is \(text), expected a factor ≥ 1")
            }
            resampling = recorded
        }
        var trainingPatch: [Int]?
        if let text = file.metadata["patch"] {
            let extents = text.split(separator: ",").compactMap { Int($0) }
            guard extents.count == 3, extents.allSatisfy({ $0 > 0 && $0 % inferred.spatialMultiple == 0 }) else {
                throw SafeTensorsError.malformed(file: path, reason: "__metadata__ patch is \(text), expected three multiples of \(inferred.spatialMultiple) (D,H,W)")
            }
            trainingPatch = extents
        }
        do {
            return ModelWeights(model: try BaselineUNet3D(configuration: inferred, parameters: file.tensors),
                                datasetVersion: file.metadata["dataset_version"], resampling: resampling, trainingPatch: trainingPatch)
        } catch let error as EngineError {
            throw SafeTensorsError.malformed(file: path, reason: .cause(error, "not a BaselineUNet3D"))
        }
    }

    public var safeTensors: SafeTensors {
        let configuration = model.configuration
        var metadata = ["base_width": "\(configuration.baseWidth)", "depth": "\(configuration.depth)",
                        "input_channels": "\(configuration.inputChannels)", "format": "dosecurate BaselineUNet3D"]
        metadata["preset"] = configuration.preset?.rawValue
        metadata["dataset_version"] = datasetVersion
        if !resampling.isIdentity { metadata["resample"] = "\(resampling.factor)" }
        metadata["patch"] = trainingPatch.map { $0.map(String.init).joined(separator: ",") }
        return SafeTensors(tensors: model.parameters, metadata: metadata)
    }

    /// Written atomically.
    public func write(to path: String) throws { try safeTensors.write(to: path) }

    /// Depth = the number of `encN.conv1.weight` tensors; base width and input channels = the
    /// output and input channels of `enc1.conv1.weight`.
    static func inferConfiguration(from tensors: [String: Tensor], file: String) throws -> UNetConfiguration {
        guard let first = tensors["enc1.conv1.weight"], first.rank == 5 else {
            throw SafeTensorsError.malformed(file: file, reason: "no 5-D enc1.conv1.weight: not a BaselineUNet3D")
        }
        var depth = 0
        while tensors["enc\(depth + 1).conv1.weight"] != nil { depth += 1 }
        do {
            return try UNetConfiguration(baseWidth: first.shape[0], depth: depth, inputChannels: first.shape[1])
        } catch {
            throw SafeTensorsError.malformed(file: file, reason: .cause(error))
        }
    }

    private static func recordedConfiguration(_ metadata: [String: String], file: String) throws -> UNetConfiguration? {
        guard let depthText = metadata["depth"], let inputText = metadata["input_channels"] else { return nil }
        let width = metadata["base_width"].flatMap(Int.init) ?? metadata["preset"].flatMap(UNetConfiguration.Preset.init(rawValue:))?.baseWidth
        guard let depth = Int(depthText), let inputs = Int(inputText), let width else {
            throw SafeTensorsError.malformed(file: file, reason: "__metadata__ has unreadable depth, input_channels, base_width or preset: \(metadata)")
        }
        return try? UNetConfiguration(baseWidth: width, depth: depth, inputChannels: inputs)
    }
}

import Support
import Foundation

/// A training checkpoint: the model's parameters in `<base>.safetensors` (the weights format
/// `predict` and PyTorch read) and the optimiser's state in `<base>.optstate` (safetensors too:
/// `exp_avg.<name>`, `exp_avg_sq.<name>`, and the step and settings in `__metadata__`). Each file
/// is written atomically, the optimiser state first; both carry the step, and a pair whose steps
/// differ (a kill between the two renames) is refused rather than resumed from. `state` is the
/// trainer's own progress (epoch, best score), kept in the sidecar's metadata as `trainer.<key>`.
public enum Checkpoint {
    public static let weightsExtension = "safetensors", optimizerExtension = "optstate"
    private static let statePrefix = "trainer."

    /// `crashPoint` names the moment between the two files for the crash-safety tests
    /// (`<crashPoint>-between-files`, see `CrashPoint`).
    public static func write(model: BaselineUNet3D, optimizer: AdamW, datasetVersion: String?, resampling: InPlaneResampling = .native,
                             trainingPatch: [Int]? = nil, state: [String: String] = [:], crashPoint: String? = nil, to base: String) throws {
        let trainerState = state
        var moments: [String: Tensor] = [:]
        let names = model.configuration.parameterShapes
        guard optimizer.moments.isEmpty || optimizer.moments.count == names.count else {
            throw EngineError.inconsistentState(what: "checkpoint", expected: "\(names.count) moment pairs", found: "\(optimizer.moments.count)")
        }
        for (index, (name, shape)) in names.enumerated() where !optimizer.moments.isEmpty {
            moments["exp_avg.\(name)"] = try Tensor(shape: shape, elements: optimizer.moments[index].first)
            moments["exp_avg_sq.\(name)"] = try Tensor(shape: shape, elements: optimizer.moments[index].second)
        }
        let settings = optimizer.settings
        var metadata = [
            "step": "\(optimizer.step)", "lr": "\(settings.learningRate)", "beta1": "\(settings.beta1)", "beta2": "\(settings.beta2)",
            "eps": "\(settings.epsilon)", "weight_decay": "\(settings.weightDecay)",
        ]
        for (key, value) in trainerState { metadata[statePrefix + key] = value }
        try SafeTensors(tensors: moments, metadata: metadata).write(to: "\(base).\(optimizerExtension)")
        if let crashPoint { CrashPoint.reach("\(crashPoint)-between-files") }
        var weights = ModelWeights(model: model, datasetVersion: datasetVersion, resampling: resampling, trainingPatch: trainingPatch).safeTensors
        weights.metadata["step"] = "\(optimizer.step)"
        try weights.write(to: "\(base).\(weightsExtension)")
    }

    public static func read(base: String) throws -> (weights: ModelWeights, optimizer: AdamW, state: [String: String]) {
        let weightsPath = "\(base).\(weightsExtension)", statePath = "\(base).\(optimizerExtension)"
        let weightsFile = try SafeTensors.read(path: weightsPath)
        let weights = try ModelWeights.from(weightsFile, file: weightsPath)
        let weightsStep = weightsFile.metadata["step"]
        let state = try SafeTensors.read(path: statePath)
        guard let stepText = state.metadata["step"], let step = Int(stepText), weightsStep == stepText else {
            throw SafeTensorsError.malformed(file: statePath, reason: "optimiser step \(state.metadata["step"] ?? "missing") does not match the weights' step \(weightsStep ?? "missing") in \(weightsPath)")
        }
        func number(_ key: String) throws -> Double {
            guard let value = state.metadata[key].flatMap(Double.init) else {
                throw SafeTensorsError.malformed(file: statePath, reason: "__metadata__ lacks a numeric \(key)")
            }
            return value
        }
        let settings = AdamW.Settings(learningRate: try number("lr"), beta1: try number("beta1"), beta2: try number("beta2"),
                                      epsilon: try number("eps"), weightDecay: try number("weight_decay"))
        var moments: [AdamW.Moments] = []
        if !state.tensors.isEmpty {
            for (name, shape) in weights.model.configuration.parameterShapes {
                guard let first = state.tensors["exp_avg.\(name)"], let second = state.tensors["exp_avg_sq.\(name)"],
                      first.shape == shape, second.shape == shape else {
                    throw SafeTensorsError.malformed(file: statePath, reason: "no moments of shape \(shape) for \(name)")
                }
                moments.append(AdamW.Moments(first: first.elements, second: second.elements))
            }
        }
        let trainerState = Dictionary(uniqueKeysWithValues: state.metadata.filter { $0.key.hasPrefix(statePrefix) }
            .map { (String($0.key.dropFirst(statePrefix.count)), $0.value) })
        return (weights, try AdamW(settings: settings, step: step, moments: moments), trainerState)
    }
}

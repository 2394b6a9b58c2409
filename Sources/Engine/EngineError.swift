import Support

/// What went wrong in the engine, with what was expected and what was found: the shapes of
/// tensors that reach a layer (weights read from a file, inputs from a case) are checked, never
/// trusted.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case elementCount(shape: [Int], expected: Int, found: Int)
    case shape(role: String, expected: String, found: [Int])
    case mismatch(role: String, expected: [Int], found: [Int])
    /// A setting out of range (a patch, a schedule, a thread count): the settings are the caller's.
    case invalidSetting(name: String, expected: String, found: String)
    /// Weights that lack a tensor the model needs, or hold one it has no place for.
    case missingTensor(name: String, configuration: String)
    case unexpectedTensor(name: String, configuration: String)
    /// Nothing to work on (no training cases, no cases to export).
    case noCases(role: String)
    /// A new run's folder already holds checkpoints.
    case runFolderNotEmpty(directory: String, latestEpoch: Int)
    /// A run to resume whose checkpoints, metrics or cache do not fit it (each reason named).
    case cannotResume(directory: String, reasons: [String])
    case resumeMismatch(file: String, expected: String, found: String)
    /// A training cache made with other settings than the run's.
    case cacheMismatch(file: String, expected: String, found: String)
    /// The engine's own bookkeeping disagreeing with itself (a gradient or optimiser state of the
    /// wrong count, a trace without a block): a bug, reported instead of trapped on.
    case inconsistentState(what: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .elementCount(shape, expected, found):
            return "a tensor of shape \(shape) needs \(expected) elements, found \(found)"
        case let .shape(role, expected, found):
            return "\(role): expected \(expected), found shape \(found)"
        case let .mismatch(role, expected, found):
            return "\(role): expected shape \(expected), found \(found)"
        case let .invalidSetting(name, expected, found), let .inconsistentState(name, expected, found):
            return "\(name): expected \(expected), found \(found)"
        case let .missingTensor(name, configuration):
            return "weights: expected a tensor named \(name) for \(configuration), found none"
        case let .unexpectedTensor(name, configuration):
            return "weights: expected only the tensors of \(configuration), found an extra tensor \(name)"
        case let .noCases(role):
            return "expected at least one \(role) case, found none"
        case let .runFolderNotEmpty(directory, epoch):
            return "run folder \(directory): expected no checkpoints (a new run), found the checkpoint of epoch \(epoch); resume the run instead"
        case let .cannotResume(directory, reasons):
            return "resume of \(directory): expected an intact checkpoint, found \(reasons.isEmpty ? "none" : reasons.joined(separator: "; "))"
        case let .resumeMismatch(file, expected, found), let .cacheMismatch(file, expected, found):
            return "\(file): expected \(expected), found \(found)"
        }
    }
}

extension EngineError: CodedError {
    public var code: String {
        switch self {
        case .elementCount: "engine.element_count"
        case .shape: "engine.shape"
        case .mismatch: "engine.mismatch"
        case .invalidSetting: "engine.invalid_setting"
        case .missingTensor: "engine.missing_tensor"
        case .unexpectedTensor: "engine.unexpected_tensor"
        case .noCases: "engine.no_cases"
        case .runFolderNotEmpty: "engine.run_folder_not_empty"
        case .cannotResume: "engine.cannot_resume"
        case .resumeMismatch: "engine.resume_mismatch"
        case .cacheMismatch: "engine.cache_mismatch"
        case .inconsistentState: "engine.inconsistent_state"
        }
    }
}

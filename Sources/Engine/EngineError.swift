/// What went wrong in the engine, with what was expected and what was found: the shapes of
/// tensors that reach a layer (weights read from a file, inputs from a case) are checked, never
/// trusted.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case elementCount(shape: [Int], expected: Int, found: Int)
    case shape(role: String, expected: String, found: [Int])
    case mismatch(role: String, expected: [Int], found: [Int])
    case invalidSetting(name: String, expected: String, found: String)

    public var description: String {
        switch self {
        case let .elementCount(shape, expected, found):
            return "a tensor of shape \(shape) needs \(expected) elements, found \(found)"
        case let .shape(role, expected, found):
            return "\(role): expected \(expected), found shape \(found)"
        case let .mismatch(role, expected, found):
            return "\(role): expected shape \(expected), found \(found)"
        case let .invalidSetting(name, expected, found):
            return "\(name): expected \(expected), found \(found)"
        }
    }
}

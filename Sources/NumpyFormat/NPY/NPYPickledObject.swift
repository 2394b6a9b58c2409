/// An object array (`dtype('O')`) as numpy stores it: the pickle of the whole array, kept as
/// bytes. dosecurate never hands these bytes to a Python unpickler; the restricted decoder
/// rebuilds the values it allows.
public struct NPYPickledObject: Sendable, Equatable {
    public let source: String
    public let shape: [Int]
    public let fortranOrder: Bool
    public let pickle: [UInt8]
}

/// One member of an `.npz`: a numeric array, or a pickled object array (the `metadata` dict).
public enum NPZContent: Sendable {
    case array(NPYArray)
    case pickledObject(NPYPickledObject)

    public var array: NPYArray? {
        if case let .array(array) = self { array } else { nil }
    }
}

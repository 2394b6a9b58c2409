/// An object array (`dtype('O')`) as numpy stores it: the pickle of the whole array, kept as
/// bytes. dosecurate never hands these bytes to a Python unpickler; the restricted decoder
/// rebuilds the values it allows.
public struct NPYPickledObject: Sendable, Equatable {
    public let source: String
    public let shape: [Int]
    public let fortranOrder: Bool
    public let pickle: [UInt8]

    public init(source: String = "<memory>", shape: [Int] = [], fortranOrder: Bool = false, pickle: [UInt8]) {
        self.source = source
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.pickle = pickle
    }
}

/// One member of an `.npz`: a numeric array, or a pickled object array (the `metadata` dict).
public enum NPZContent: Sendable {
    case array(NPYArray)
    case pickledObject(NPYPickledObject)

    public var array: NPYArray? {
        if case let .array(array) = self { array } else { nil }
    }
}

/// A member as `NPZArchive.preview` sees it: an array's header, or a pickled member whole.
public enum NPZPreview: Sendable {
    case array(NPYHeader)
    case pickledObject(NPYPickledObject)
}

/// What a streaming pass over an `.npz` reports, member by member (each named by its key,
/// e.g. `dose`).
public enum NPZStreamEvent {
    /// A numeric member begins; its chunks follow in C order, then `arrayEnd`.
    case arrayStart(String, NPYHeader)
    /// Canonical bytes (C order, little-endian) of elements `Range` of the member; valid only
    /// during the call.
    case arrayChunk(String, NPYHeader, Range<Int>, UnsafeRawBufferPointer)
    case arrayEnd(String, NPYHeader)
    /// A pickled object member (the metadata), whole.
    case pickledObject(String, NPYPickledObject)
}

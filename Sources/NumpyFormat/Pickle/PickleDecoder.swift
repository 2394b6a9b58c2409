/// Reads the pickled `metadata` member of a case file without executing anything
/// (spec "metadata").
///
/// Python's unpickler is a small stack machine whose GLOBAL/REDUCE opcodes import and call
/// arbitrary code. This decoder runs the same machine over plain data: globals are looked
/// up in a fixed allow-list (`PickleAllowedGlobal`) and refused otherwise the moment they
/// are read; the allowed ones (numpy array/scalar/dtype reconstruction, and the plain-data
/// constructors protocols 2–3 need) are re-implemented in Swift. Nothing is imported,
/// reflected on or loaded. Every length from the stream is checked against `PickleLimits`
/// and the remaining input before anything is allocated.
///
/// Protocols 0–5 are read: all opcodes CPython writes for metadata-shaped data, including
/// Python 2's text opcodes (STRING/BINSTRING are read as Latin-1 `str`, as numpy does
/// with `encoding='latin1'`). Persistent ids, extension codes, INST/OBJ and out-of-band
/// buffers are refused with an error naming them.
public struct PickleDecoder: Sendable {
    public var limits: PickleLimits

    public init(limits: PickleLimits = .default) {
        self.limits = limits
    }

    /// Decodes one pickle (up to its STOP; trailing bytes are ignored, as Python does).
    public func decode(_ bytes: [UInt8]) throws(PickleError) -> MetadataValue {
        var machine = PickleMachine(bytes: bytes, limits: limits)
        let result = try machine.run()
        return try machine.graph.materialize(result, limits: limits)
    }

    /// Decodes the pickle of a 0-d object array (what numpy writes for an object `.npy`
    /// holding one Python object) and returns its single element, whatever it is.
    public func decodeNumpyObjectScalar(_ bytes: [UInt8]) throws(PickleError) -> MetadataValue {
        let value = try decode(bytes)
        guard case .numpyArray(let array) = value, array.isObjectArray, array.shape.isEmpty,
              let element = array.objectElements.first
        else { throw .notAnObjectScalar(found: value.kindDescription) }
        return element
    }

    /// Decodes the metadata member's pickle and returns the dict inside numpy's 0-d object
    /// array (`np.load(...)['metadata'].item()`).
    ///
    /// A bare pickled dict is accepted too: only a hand-made file would contain one, and
    /// reading it loses nothing. Any other element is `PickleError.notADictionary(found:)`.
    public func metadataDictionary(fromPickle bytes: [UInt8]) throws(PickleError) -> MetadataValue {
        let value = try decode(bytes)
        if case .dict = value { return value }
        guard case .numpyArray(let array) = value, array.isObjectArray, array.shape.isEmpty,
              let element = array.objectElements.first
        else { throw .notADictionary(found: value.kindDescription) }
        guard case .dict = element else { throw .notADictionary(found: element.kindDescription) }
        return element
    }
}

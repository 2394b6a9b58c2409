import Support

/// Why a pickle could not be read (or a value could not be pickled). Each case carries what
/// was expected and what was found; `description` is the sentence a user sees.
/// Offsets are byte positions in the pickle stream, counted from 0.
public enum PickleError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The stream ended in the middle of an opcode or before STOP.
    case truncated(offset: Int)
    /// A byte that is not a pickle opcode in any protocol.
    case unknownOpcode(byte: UInt8, offset: Int)
    /// A real pickle opcode that metadata never needs and this reader will not interpret.
    case unsupportedOpcode(name: String, offset: Int, reason: String)
    case unsupportedProtocol(version: Int, offset: Int)
    /// The pickle names a callable outside the allow-list (spec "metadata"). Raised when
    /// the GLOBAL/STACK_GLOBAL/INST opcode is read, before anything could use it.
    case disallowedGlobal(module: String, name: String)
    /// NEXT_BUFFER / READONLY_BUFFER: protocol 5 out-of-band data, which a file cannot carry.
    case outOfBandBuffer(opcode: String, offset: Int)
    case stackUnderflow(opcode: String, offset: Int)
    case markMissing(opcode: String, offset: Int)
    case memoKeyMissing(key: UInt64, offset: Int)
    /// A length field larger than `PickleLimits` allows, caught before any allocation.
    case lengthExceedsLimit(opcode: String, length: UInt64, limit: Int, offset: Int)
    /// `offset` is nil when the depth is only discovered while assembling the tree.
    case nestingTooDeep(limit: Int, offset: Int?)
    case tooManyItems(limit: Int)
    /// A container that contains itself; a value tree cannot represent it.
    case recursiveStructure
    /// An opcode found an operand of the wrong kind (e.g. APPEND onto a dict).
    case unexpectedValue(opcode: String, expected: String, found: String, offset: Int)
    /// REDUCE/BUILD/NEWOBJ applied to something that is not one of the allowed callables.
    case notCallable(opcode: String, found: String, offset: Int)
    case invalidArguments(callable: String, reason: String, offset: Int)
    case unsupportedDType(descr: String)
    case invalidText(opcode: String, reason: String, offset: Int)
    case unhashableKey(found: String, offset: Int)
    /// The decoded value holds something that has no `MetadataValue` form (a bare dtype, say).
    case unsupportedValue(description: String)
    /// The metadata member held a value that is not a dict.
    case notADictionary(found: String)
    /// The pickle is not a 0-d numpy object array.
    case notAnObjectScalar(found: String)
    /// A `NumpyScalar`/`NumpyArrayValue` whose parts disagree (wrong byte count, say), or a
    /// value the writer cannot express as a pickle.
    case invalidValue(reason: String)

    public var description: String {
        switch self {
        case .truncated(let offset):
            return "the pickle ends early, at byte \(offset): the metadata member is truncated or corrupt"
        case .unknownOpcode(let byte, let offset):
            return "byte 0x\(Self.hex(byte)) at offset \(offset) is not a pickle opcode: the metadata member is corrupt"
        case .unsupportedOpcode(let name, let offset, let reason):
            return "the pickle uses \(name) at offset \(offset), which dosecurate does not read: \(reason)"
        case .unsupportedProtocol(let version, let offset):
            return "the pickle declares protocol \(version) at offset \(offset); dosecurate reads protocols 0 to 5"
        case .disallowedGlobal(let module, let name):
            return "pickle refers to \(module).\(name), which dosecurate never calls; only numpy array/scalar reconstruction is allowed"
        case .outOfBandBuffer(let opcode, let offset):
            return "the pickle asks for an out-of-band buffer (\(opcode) at offset \(offset)); a file cannot supply one, so the metadata is incomplete"
        case .stackUnderflow(let opcode, let offset):
            return "\(opcode) at offset \(offset) needs more values than the pickle has pushed: the stream is corrupt"
        case .markMissing(let opcode, let offset):
            return "\(opcode) at offset \(offset) needs a MARK that was never pushed: the stream is corrupt"
        case .memoKeyMissing(let key, let offset):
            return "the pickle refers back to memo entry \(key) at offset \(offset), which was never stored: the stream is corrupt"
        case .lengthExceedsLimit(let opcode, let length, let limit, let offset):
            return "\(opcode) at offset \(offset) declares \(length) bytes, more than the limit of \(limit); refusing to allocate it"
        case .nestingTooDeep(let limit, let offset):
            let place = offset.map { " (at offset \($0))" } ?? ""
            return "the pickle nests containers more than \(limit) levels deep\(place); real metadata nests a handful"
        case .tooManyItems(let limit):
            return "the decoded metadata would hold more than \(limit) values; refusing to expand it"
        case .recursiveStructure:
            return "the pickle builds a container that contains itself; metadata cannot be self-referential"
        case .unexpectedValue(let opcode, let expected, let found, let offset):
            return "\(opcode) at offset \(offset) expected \(expected) but found \(found)"
        case .notCallable(let opcode, let found, let offset):
            return "\(opcode) at offset \(offset) would call \(found), which is not an allowed constructor; nothing was executed"
        case .invalidArguments(let callable, let reason, let offset):
            return "\(callable) at offset \(offset) was given arguments numpy never writes: \(reason)"
        case .unsupportedDType(let descr):
            return "numpy dtype '\(descr)' is not supported in metadata (supported: bool, int8–64, uint8–64, float16/32/64, str, bytes, object)"
        case .invalidText(let opcode, let reason, let offset):
            return "\(opcode) at offset \(offset) holds unreadable text: \(reason)"
        case .unhashableKey(let found, let offset):
            return "the pickle uses a \(found) as a dict key or set element at offset \(offset), which Python itself would reject"
        case .unsupportedValue(let description):
            return "the pickle holds \(description), which has no place in metadata"
        case .notADictionary(let found):
            return "the metadata member holds a \(found), not a dict"
        case .notAnObjectScalar(let found):
            return "the pickle holds a \(found), not a 0-d numpy object array"
        case .invalidValue(let reason):
            return "invalid metadata value: \(reason)"
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}

extension PickleError: CodedError {
    public var code: String {
        switch self {
        case .truncated: "pickle.truncated"
        case .unknownOpcode: "pickle.unknown_opcode"
        case .unsupportedOpcode: "pickle.unsupported_opcode"
        case .unsupportedProtocol: "pickle.unsupported_protocol"
        case .disallowedGlobal: "pickle.disallowed_global"
        case .outOfBandBuffer: "pickle.out_of_band_buffer"
        case .stackUnderflow: "pickle.stack_underflow"
        case .markMissing: "pickle.mark_missing"
        case .memoKeyMissing: "pickle.memo_key_missing"
        case .lengthExceedsLimit: "pickle.length_exceeds_limit"
        case .nestingTooDeep: "pickle.nesting_too_deep"
        case .tooManyItems: "pickle.too_many_items"
        case .recursiveStructure: "pickle.recursive_structure"
        case .unexpectedValue: "pickle.unexpected_value"
        case .notCallable: "pickle.not_callable"
        case .invalidArguments: "pickle.invalid_arguments"
        case .unsupportedDType: "pickle.unsupported_dtype"
        case .invalidText: "pickle.invalid_text"
        case .unhashableKey: "pickle.unhashable_key"
        case .unsupportedValue: "pickle.unsupported_value"
        case .notADictionary: "pickle.not_a_dictionary"
        case .notAnObjectScalar: "pickle.not_an_object_scalar"
        case .invalidValue: "pickle.invalid_value"
        }
    }
}

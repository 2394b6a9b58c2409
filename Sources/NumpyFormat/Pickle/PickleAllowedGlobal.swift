/// The complete allow-list of globals a metadata pickle may name (spec "metadata").
///
/// A pickle "global" is a module attribute that the unpickler would import and later call.
/// dosecurate never imports or calls anything: an allowed global becomes this symbolic
/// value on the stack, and REDUCE/BUILD/NEWOBJ on it are interpreted in Swift by
/// `PickleReconstruction`. Every other name is refused the moment it is read.
enum PickleAllowedGlobal: Sendable, Hashable {
    /// `numpy.core.multiarray._reconstruct` (numpy 1.x) / `numpy._core.multiarray._reconstruct`
    /// (numpy 2.x): creates an empty ndarray that a BUILD then fills.
    case reconstruct
    /// `numpy.core.multiarray.scalar` / `numpy._core.multiarray.scalar`: `scalar(dtype, bytes)`.
    case scalar
    /// `numpy.ndarray`: only ever an argument of `_reconstruct`.
    case ndarray
    /// `numpy.dtype`: `dtype('f8', False, True)` followed by a BUILD with the byte order.
    case dtype
    /// `numpy.core.numeric._frombuffer` / `numpy._core.numeric._frombuffer`: protocol 5
    /// arrays, `_frombuffer(buffer, dtype, shape, order)`.
    case frombuffer
    /// `_codecs.encode(text, 'latin1')`: how protocol 2 spells `bytes` values.
    case codecsEncode
    /// `collections.OrderedDict`: `OrderedDict()` then SETITEMS, read as a plain dict.
    case orderedDict
    /// `builtins.set` / `builtins.frozenset` / `builtins.bytearray` / `builtins.bytes`
    /// (`__builtin__.*` in protocol 2's Python-2 naming). Python pickles these plain-data
    /// constructors whenever the protocol lacks an opcode for the type: protocols 2–3 write
    /// `set(list)` and `frozenset(list)`, `bytearray(bytes)` below protocol 5, and protocol 2
    /// writes an empty `bytes` as `bytes()`. Each only ever builds data from data.
    case set
    case frozenSet
    case byteArray
    case bytes

    init?(module: String, name: String) {
        switch (module, name) {
        case ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"): self = .reconstruct
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"): self = .scalar
        case ("numpy", "ndarray"): self = .ndarray
        case ("numpy", "dtype"): self = .dtype
        case ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"): self = .frombuffer
        case ("_codecs", "encode"): self = .codecsEncode
        case ("collections", "OrderedDict"): self = .orderedDict
        case ("builtins", "set"), ("__builtin__", "set"): self = .set
        case ("builtins", "frozenset"), ("__builtin__", "frozenset"): self = .frozenSet
        case ("builtins", "bytearray"), ("__builtin__", "bytearray"): self = .byteArray
        case ("builtins", "bytes"), ("__builtin__", "bytes"): self = .bytes
        default: return nil
        }
    }

    /// The name as numpy 2.x would spell it, for messages.
    var qualifiedName: String {
        switch self {
        case .reconstruct: return "numpy._core.multiarray._reconstruct"
        case .scalar: return "numpy._core.multiarray.scalar"
        case .ndarray: return "numpy.ndarray"
        case .dtype: return "numpy.dtype"
        case .frombuffer: return "numpy._core.numeric._frombuffer"
        case .codecsEncode: return "_codecs.encode"
        case .orderedDict: return "collections.OrderedDict"
        case .set: return "builtins.set"
        case .frozenSet: return "builtins.frozenset"
        case .byteArray: return "builtins.bytearray"
        case .bytes: return "builtins.bytes"
        }
    }
}

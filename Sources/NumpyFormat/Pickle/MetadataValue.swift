/// A value from the pickled `metadata` member of a case file (spec "metadata"), as plain data.
///
/// The tree mirrors what Python holds after `np.load(..., allow_pickle=True)['metadata']`,
/// without any Python object behind it: the decoder rebuilds every value from its bytes.
///
/// Invariants the decoder keeps (and the writer relies on):
/// - `.int` holds every Python int that fits in `Int64`; `.bigInt` only those that do not,
///   as canonical decimal text (`-?[1-9][0-9]*`). `.bigInt("5")` is never produced.
/// - `.dict` keeps entries in pickled (Python insertion) order; `.set` keeps pickled order
///   (Python's hash order), which the writer reproduces so a round trip is byte-stable.
/// - `frozenset` and `OrderedDict` are folded into `.set` and `.dict`: metadata never
///   depends on the difference.
///
/// Equality is structural and order-sensitive (also for `.set` and `.dict`, whose order is
/// part of what a round trip must keep), with one deliberate departure from IEEE: two NaN
/// floats are equal, so a decoded tree always equals itself and can be a dictionary key.
public indirect enum MetadataValue: Sendable {
    case none
    case bool(Bool)
    case int(Int64)
    /// A Python int outside `Int64`, as decimal digits with an optional leading `-`.
    case bigInt(String)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list([MetadataValue])
    case tuple([MetadataValue])
    case set([MetadataValue])
    case dict([MetadataEntry])
    case numpyScalar(NumpyScalar)
    case numpyArray(NumpyArrayValue)
}

// MARK: - Convenience accessors

extension MetadataValue {
    /// The value stored under `key` in a dict, comparing keys by their text: a string key
    /// by itself, any other key by its canonical JSON key text (`3` → "3", `True` → "true",
    /// `None` → "null"; see `CanonicalJSON`). So `structure_channels["0"]` finds the
    /// int key `0`, exactly as the key appears in canonical JSON. Texts must match code
    /// point for code point (no Unicode normalisation). First match wins.
    public subscript(key: String) -> MetadataValue? {
        guard case .dict(let entries) = self else { return nil }
        for entry in entries where CanonicalJSON.keyText(entry.key).utf8.elementsEqual(key.utf8) {
            return entry.value
        }
        return nil
    }

    /// The entries of a dict, in pickled order; `nil` for anything else.
    public var dictionaryEntries: [MetadataEntry]? {
        guard case .dict(let entries) = self else { return nil }
        return entries
    }

    /// A number as `Double`: Python floats and ints, and numpy int/float scalars.
    /// Booleans are not numbers here, so a flag never passes for a dose.
    public var asDouble: Double? {
        switch self {
        case .float(let value): return value
        case .int(let value): return Double(value)
        case .bigInt(let digits): return Double(digits)
        case .numpyScalar(let scalar):
            if case .bool = scalar.value { return nil }
            return scalar.value.asDouble
        default: return nil
        }
    }

    /// An integer: Python ints and numpy integer scalars that fit in `Int`, and floats
    /// with an exact integral value (metadata written by hand sometimes has `3.0` slices).
    public var asInt: Int? {
        switch self {
        case .int(let value): return Int(exactly: value)
        case .float(let value): return Int(exactly: value)
        case .numpyScalar(let scalar):
            if case .bool = scalar.value { return nil }
            return scalar.value.asInt
        default: return nil
        }
    }

    public var asString: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// A Python bool or a `numpy.bool_`, which the pipeline writes for the `*_exists` flags.
    public var asBool: Bool? {
        switch self {
        case .bool(let flag): return flag
        case .numpyScalar(let scalar):
            if case .bool(let flag) = scalar.value { return flag }
            return nil
        default: return nil
        }
    }

    /// The elements of a list or tuple, or of a 1-d numpy array (numeric elements become
    /// `.bool`/`.int`/`.float`). Spacings are tuples in some versions and arrays in others.
    public var asArray: [MetadataValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        case .numpyArray(let array) where array.shape.count == 1: return array.elementsInCOrder()
        default: return nil
        }
    }

    /// A short name for the kind of value, for error messages ("list", "numpy.float64", ...).
    public var kindDescription: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .set: return "set"
        case .dict: return "dict"
        case .numpyScalar(let scalar): return "numpy scalar \(scalar.descr)"
        case .numpyArray(let array): return "numpy array \(array.descr) of shape \(array.shape)"
        }
    }
}

// MARK: - Equality and hashing

extension MetadataValue: Equatable, Hashable {
    public static func == (lhs: MetadataValue, rhs: MetadataValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.bigInt(let a), .bigInt(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        // Code points, not Swift's canonical equivalence: "é" and "e\u{301}" are two
        // different Python strings (and two different dict keys).
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.tuple(let a), .tuple(let b)): return a == b
        case (.set(let a), .set(let b)): return a == b
        case (.dict(let a), .dict(let b)): return a == b
        case (.numpyScalar(let a), .numpyScalar(let b)): return a == b
        case (.numpyArray(let a), .numpyArray(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .none: hasher.combine(0)
        case .bool(let flag): hasher.combine(1); hasher.combine(flag)
        case .int(let value): hasher.combine(2); hasher.combine(value)
        case .bigInt(let digits): hasher.combine(3); hasher.combine(digits)
        case .float(let value):
            hasher.combine(4)
            // All NaNs are equal above, so they must hash alike whatever their payload.
            if value.isNaN { hasher.combine(Double.nan.bitPattern) } else { hasher.combine(value) }
        case .string(let text):
            hasher.combine(5)
            for scalar in text.unicodeScalars { hasher.combine(scalar.value) }
        case .bytes(let bytes): hasher.combine(6); hasher.combine(bytes)
        case .list(let items): hasher.combine(7); hasher.combine(items)
        case .tuple(let items): hasher.combine(8); hasher.combine(items)
        case .set(let items): hasher.combine(9); hasher.combine(items)
        case .dict(let entries): hasher.combine(10); hasher.combine(entries)
        case .numpyScalar(let scalar): hasher.combine(11); hasher.combine(scalar)
        case .numpyArray(let array): hasher.combine(12); hasher.combine(array)
        }
    }
}

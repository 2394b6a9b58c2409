/// Writes metadata as the pickle numpy writes for the `metadata` member (spec "metadata"):
/// `pickle.dumps(np.array(d, dtype=object), protocol=4)` for numpy 2.x, protocol 3 with
/// `numpy.core` names for numpy 1.x.
///
/// It follows CPython's C pickler opcode for opcode — the same short/long opcode choice,
/// batching of 1000 items, memo numbering and framing — so for typical metadata the bytes
/// are identical to Python's. What a value tree cannot know is Python object identity,
/// which decides where CPython emits a memo reference instead of writing an object again;
/// the writer assumes what CPython does for the objects metadata holds:
/// - equal `str` values are one object (true for dict keys and identifiers, which CPython
///   interns, and for every 0–1 character string, which it caches);
/// - `bytes` of length 0 or 1 are one object (CPython caches them), longer ones are not;
/// - `numpy.bool_` values are one object per value (numpy's `True_`/`False_` singletons);
/// - dtypes with the same descr are one object (numpy's builtin dtype singletons), and the
///   type code inside a dtype's pickle ("f8") is a fresh string, never shared;
/// - nothing else is shared (tuples, lists, dicts, other numpy scalars, arrays).
/// When a Python dict repeats an equal string built at run time, or shares one list in two
/// places, Python's bytes differ from these; both load to equal values.
public enum PickleWriter {
    /// A bare pickle of `value`, as `pickle.dumps(value, protocol=4 or 3)`.
    public static func pickle(_ value: MetadataValue, dialect: PickleDialect = .numpy2) throws(PickleError) -> [UInt8] {
        var pickler = Pickler(dialect: dialect)
        return try pickler.dump(value)
    }

    /// The metadata member's pickle: a 0-d object ndarray whose element is `value`, so
    /// that `np.load(f, allow_pickle=True)['metadata'].item()` equals `value`.
    public static func pickleObjectArray(wrapping value: MetadataValue, dialect: PickleDialect = .numpy2) throws(PickleError) -> [UInt8] {
        try pickle(.numpyArray(.objectScalar(value)), dialect: dialect)
    }
}

/// One `dump` call: the output buffer plus the identity assumptions above, as memo keys.
private struct Pickler {
    enum MemoKey: Hashable {
        /// UTF-8 bytes, not `String`: Swift's String equality is canonical equivalence, and
        /// "é" / "e\u{301}" must stay two strings.
        case string([UInt8])
        case shortBytes([UInt8])
        case global(module: String, name: String)
        case dtype(String)
        case boolScalar(Bool)
    }

    /// CPython's `BATCHSIZE` for APPENDS/SETITEMS/ADDITEMS.
    static let batchSize = 1000

    let dialect: PickleDialect
    var output: PickleOutputBuffer
    var memo: [MemoKey: Int] = [:]

    init(dialect: PickleDialect) {
        self.dialect = dialect
        self.output = PickleOutputBuffer(protocolVersion: dialect.protocolVersion)
    }

    var protocolVersion: UInt8 { dialect.protocolVersion }

    mutating func dump(_ value: MetadataValue) throws(PickleError) -> [UInt8] {
        output.writeHeader()
        try save(value)
        output.write(.stop)
        output.commitFrame()
        return output.bytes
    }

    /// CPython's `save()`: one object, then the frame-boundary check.
    mutating func save(_ value: MetadataValue) throws(PickleError) {
        try saveObject(value)
        output.opcodeBoundary()
    }

    private mutating func saveObject(_ value: MetadataValue) throws(PickleError) {
        switch value {
        case .none: output.write(.none)
        case .bool(let flag): output.write(flag ? .newTrue : .newFalse)
        case .int(let integer): saveInt(integer)
        case .bigInt(let digits): try saveBigInt(digits)
        case .float(let number):
            output.write([PickleOpcode.binFloat.rawValue] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: number.bitPattern >> UInt64(8 * $0)) })
        case .string(let text): try saveString(text)
        case .bytes(let bytes): try saveBytes(bytes)
        case .list(let items): try saveList(items)
        case .tuple(let items): try saveTuple(items)
        case .dict(let entries): try saveDict(entries)
        case .set(let items): try saveSet(items)
        case .numpyScalar(let scalar): try saveScalar(scalar)
        case .numpyArray(let array): try saveArray(array)
        }
    }

    // MARK: - Atoms

    /// `save_long`: the shortest of BININT1/BININT2/BININT, else LONG1.
    private mutating func saveInt(_ integer: Int64) {
        if integer >= 0, integer <= 0xFF {
            output.write([PickleOpcode.binInt1.rawValue, UInt8(integer)])
        } else if integer >= 0, integer <= 0xFFFF {
            output.write([PickleOpcode.binInt2.rawValue] + PickleOutputBuffer.littleEndian(UInt64(integer), count: 2))
        } else if let small = Int32(exactly: integer) {
            output.write([PickleOpcode.binInt.rawValue] + PickleOutputBuffer.littleEndian(UInt64(UInt32(bitPattern: small)), count: 4))
        } else {
            // Outside Int32 there is always a two's-complement encoding.
            writeLong(PythonIntegerBytes.encode(.int(integer)) ?? [])
        }
    }

    private mutating func saveBigInt(_ digits: String) throws(PickleError) {
        if let small = Int64(digits) {
            saveInt(small)
            return
        }
        guard let bytes = PythonIntegerBytes.encode(.bigInt(digits)) else {
            throw .invalidValue(reason: "big int text '\(digits)' is not a decimal integer")
        }
        writeLong(bytes)
    }

    private mutating func writeLong(_ bytes: [UInt8]) {
        if bytes.count < 256 {
            output.write([PickleOpcode.long1.rawValue, UInt8(bytes.count)] + bytes)
        } else {
            output.write([PickleOpcode.long4.rawValue] + PickleOutputBuffer.littleEndian(UInt64(bytes.count), count: 4) + bytes)
        }
    }

    /// `shared: false` is for strings CPython builds afresh on every call (a dtype's type
    /// code): never a memo reference, and never the target of one.
    private mutating func saveString(_ text: String, shared: Bool = true) throws(PickleError) {
        let utf8 = Array(text.utf8)
        if shared, let index = memo[.string(utf8)] {
            output.memoGet(index)
            return
        }
        // SHORT_BINUNICODE exists from protocol 4 only.
        try writeSized(utf8, short: protocolVersion >= 4 ? .shortBinUnicode : nil, long: .binUnicode,
                       huge: .binUnicode8, what: "a str")
        let index = output.memoize()
        if shared { memo[.string(utf8)] = index }
    }

    private mutating func saveBytes(_ bytes: [UInt8]) throws(PickleError) {
        let key: MemoKey? = bytes.count <= 1 ? .shortBytes(bytes) : nil
        if let key, let index = memo[key] {
            output.memoGet(index)
            return
        }
        try writeSized(bytes, short: .shortBinBytes, long: .binBytes, huge: .binBytes8, what: "bytes")
        let index = output.memoize()
        if let key { memo[key] = index }
    }

    /// Writes a length-prefixed payload with the smallest opcode that holds its length: a 1-byte
    /// length (`short`, when the protocol has it), a 4-byte one, or an 8-byte one (protocol 4+).
    private mutating func writeSized(_ payload: [UInt8], short: PickleOpcode?, long: PickleOpcode, huge: PickleOpcode,
                                     what: String) throws(PickleError) {
        let length = UInt64(payload.count)
        if let short, length <= 0xFF {
            output.write(header: [short.rawValue, UInt8(length)], payload: payload)
        } else if length <= 0xFFFF_FFFF {
            output.write(header: [long.rawValue] + PickleOutputBuffer.littleEndian(length, count: 4), payload: payload)
        } else if protocolVersion >= 4 {
            output.write(header: [huge.rawValue] + PickleOutputBuffer.littleEndian(length, count: 8), payload: payload)
        } else {
            throw .invalidValue(reason: "\(what) over 4 GiB needs protocol 4")
        }
    }

    // MARK: - Containers

    private mutating func saveTuple(_ items: [MetadataValue]) throws(PickleError) {
        if items.isEmpty {
            output.write(.emptyTuple)  // CPython does not memoize the empty tuple
            return
        }
        if items.count <= 3 {
            for item in items { try save(item) }
            output.write([PickleOpcode.tuple1, .tuple2, .tuple3][items.count - 1])
        } else {
            output.write(.mark)
            for item in items { try save(item) }
            output.write(.tuple)
        }
        output.memoize()
    }

    /// `batch_list_exact`: one item → APPEND; otherwise MARK…APPENDS per 1000 items.
    private mutating func saveList(_ items: [MetadataValue]) throws(PickleError) {
        output.write(.emptyList)
        output.memoize()
        if items.count == 1 {
            try save(items[0])
            output.write(.append)
            return
        }
        var start = 0
        while start < items.count {
            output.write(.mark)
            for item in items[start..<min(start + Self.batchSize, items.count)] { try save(item) }
            output.write(.appends)
            start += Self.batchSize
        }
    }

    /// `batch_dict_exact`: one entry → SETITEM; otherwise MARK…SETITEMS per 1000 entries,
    /// looping while a batch came out full — so exactly 1000 entries end with an empty batch.
    private mutating func saveDict(_ entries: [MetadataEntry]) throws(PickleError) {
        output.write(.emptyDict)
        output.memoize()
        if entries.isEmpty { return }
        if entries.count == 1 {
            try save(entries[0].key)
            try save(entries[0].value)
            output.write(.setItem)
            return
        }
        var start = 0
        var batchWasFull = true
        while batchWasFull {
            let batch = entries[start..<min(start + Self.batchSize, entries.count)]
            output.write(.mark)
            for entry in batch {
                try save(entry.key)
                try save(entry.value)
            }
            output.write(.setItems)
            batchWasFull = batch.count == Self.batchSize
            start += batch.count
        }
    }

    /// Protocol 4: EMPTY_SET then ADDITEMS batches (same loop shape as dicts). Protocol 3
    /// has no set opcodes: `set(list)` through REDUCE, as CPython writes it.
    private mutating func saveSet(_ items: [MetadataValue]) throws(PickleError) {
        guard protocolVersion >= 4 else {
            try saveGlobal(module: "builtins", name: "set")
            try saveSingleArgumentTuple { pickler throws(PickleError) in try pickler.save(.list(items)) }
            output.write(.reduce)
            output.memoize()
            return
        }
        output.write(.emptySet)
        output.memoize()
        if items.isEmpty { return }
        var start = 0
        var batchWasFull = true
        while batchWasFull {
            let batch = items[start..<min(start + Self.batchSize, items.count)]
            output.write(.mark)
            for item in batch { try save(item) }
            output.write(.addItems)
            batchWasFull = batch.count == Self.batchSize
            start += batch.count
        }
    }

    /// A one-element argument tuple saved as CPython does: the element, TUPLE1, memoize.
    private mutating func saveSingleArgumentTuple(_ saveElement: (inout Pickler) throws(PickleError) -> Void) throws(PickleError) {
        try saveElement(&self)
        output.write(.tuple1)
        output.memoize()
        output.opcodeBoundary()
    }

    // MARK: - Globals and numpy objects

    /// `save_global`: GLOBAL "module\nname\n" before protocol 4, else the two names as
    /// strings and STACK_GLOBAL; memoized either way.
    private mutating func saveGlobal(module: String, name: String) throws(PickleError) {
        let key = MemoKey.global(module: module, name: name)
        if let index = memo[key] {
            output.memoGet(index)
        } else {
            if protocolVersion >= 4 {
                try save(.string(module))
                try save(.string(name))
                output.write(.stackGlobal)
            } else {
                output.write([PickleOpcode.global.rawValue] + Array("\(module)\n\(name)\n".utf8))
            }
            memo[key] = output.memoize()
        }
        output.opcodeBoundary()
    }

    /// `dtype.__reduce__`: `(numpy.dtype, (code, False, True), state)` + BUILD.
    private mutating func saveDType(_ dtype: PickledDType) throws(PickleError) {
        if let index = memo[.dtype(dtype.descr)] {
            output.memoGet(index)
            output.opcodeBoundary()
            return
        }
        try saveGlobal(module: "numpy", name: "dtype")
        // The argument tuple (code, False, True), by hand: numpy formats the code string
        // anew each time, so CPython never shares it with an equal dict key.
        try saveString(dtype.typeCode, shared: false)
        output.opcodeBoundary()
        try save(.bool(false))
        try save(.bool(true))
        output.write(.tuple3)
        output.memoize()
        output.opcodeBoundary()
        output.write(.reduce)
        memo[.dtype(dtype.descr)] = output.memoize()
        try save(.tuple(Self.dtypeState(dtype)))
        output.write(.build)
        output.opcodeBoundary()
    }

    /// numpy's `arraydescr_reduce` state, version 3: elsize/alignment are -1 except for
    /// flexible types; flags are numpy's per-type `NPY_*` flag bits (63 for object, 8 for
    /// str), as measured from numpy 1.24 and 2.4.
    private static func dtypeState(_ dtype: PickledDType) -> [MetadataValue] {
        let elementSize: Int64
        let alignment: Int64
        let flags: Int64
        switch dtype.kind {
        case .unicode: (elementSize, alignment, flags) = (Int64(dtype.itemSize), 4, 8)
        case .bytes: (elementSize, alignment, flags) = (Int64(dtype.itemSize), 1, 0)
        case .object: (elementSize, alignment, flags) = (-1, -1, 63)
        default: (elementSize, alignment, flags) = (-1, -1, 0)
        }
        return [.int(3), .string(String(dtype.byteOrder.rawValue)), .none, .none, .none,
                .int(elementSize), .int(alignment), .int(flags)]
    }

    /// `scalar.__reduce__`: `(multiarray.scalar, (dtype, raw bytes))`.
    private mutating func saveScalar(_ scalar: NumpyScalar) throws(PickleError) {
        guard let dtype = scalar.dtype, let raw = dtype.encodeElement(scalar.value) else {
            throw .invalidValue(reason: "numpy scalar \(scalar.descr) holding \(scalar.value.kindDescription)")
        }
        var key: MemoKey?
        if dtype.kind == .bool, case .bool(let flag) = scalar.value { key = .boolScalar(flag) }
        if let key, let index = memo[key] {
            output.memoGet(index)
            return
        }
        try saveGlobal(module: dialect.multiarrayModule, name: "scalar")
        try saveDType(dtype)
        try save(.bytes(raw))
        output.write(.tuple2)
        output.memoize()
        output.opcodeBoundary()
        output.write(.reduce)
        let index = output.memoize()
        if let key { memo[key] = index }
    }

    /// `ndarray.__reduce__`: `(_reconstruct, (ndarray, (0,), b'b'), (1, shape, dtype,
    /// is_fortran, data))`; data is the raw bytes, or for object arrays the element list.
    private mutating func saveArray(_ array: NumpyArrayValue) throws(PickleError) {
        guard let dtype = array.dtype else { throw .unsupportedDType(descr: array.descr) }
        try saveGlobal(module: dialect.multiarrayModule, name: "_reconstruct")
        try saveGlobal(module: "numpy", name: "ndarray")
        try save(.tuple([.int(0)]))
        try save(.bytes(Array("b".utf8)))
        output.write(.tuple3)
        output.memoize()
        output.opcodeBoundary()
        output.write(.reduce)
        output.memoize()
        // The state tuple, written by hand because its dtype is not a MetadataValue.
        output.write(.mark)
        try save(.int(1))
        try save(.tuple(array.shape.map { .int(Int64($0)) }))
        try saveDType(dtype)
        try save(.bool(array.fortranOrder))
        if dtype.kind == .object {
            try save(.list(array.objectElements))
        } else {
            try save(.bytes(array.data))
        }
        output.write(.tuple)
        output.memoize()
        output.opcodeBoundary()
        output.write(.build)
    }
}

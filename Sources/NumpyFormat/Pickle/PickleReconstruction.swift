/// REDUCE, BUILD and NEWOBJ, interpreted for the allow-listed callables only.
///
/// Each case re-implements, from the pickled arguments, what the numpy or builtin
/// function would have produced — and checks the arguments have the shapes numpy writes,
/// so a crafted pickle cannot reach a code path nobody has looked at. Anything else is
/// `notCallable` (nothing is ever called) or `invalidArguments`.
extension PickleMachine {
    mutating func applyReduce(_ callable: PickleStackItem, arguments: PickleStackItem) throws(PickleError) -> PickleStackItem {
        guard case .callable(let global) = callable else {
            throw .notCallable(opcode: opcode.name, found: graph.describe(callable), offset: opcodeOffset)
        }
        guard let args = tupleItems(arguments) else {
            throw .invalidArguments(callable: global.qualifiedName, reason: "arguments are a \(graph.describe(arguments)), not a tuple", offset: opcodeOffset)
        }
        switch global {
        case .reconstruct:
            // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills in.
            guard args.count == 3, case .callable(.ndarray) = args[0] else {
                throw invalidArguments(global, "expected (numpy.ndarray, shape, typecode)")
            }
            return .node(graph.add(PickleObjectGraph.Node(kind: .pendingArray)))

        case .dtype:
            // dtype('f8', False, True); the byte order arrives with the BUILD that follows.
            guard (1...3).contains(args.count), let code = stringValue(args[0]) else {
                throw invalidArguments(global, "expected (type code, align, copy)")
            }
            guard let dtype = PickledDType(descr: code) else { throw .unsupportedDType(descr: code) }
            try checkItemSize(dtype.itemSize)
            var node = PickleObjectGraph.Node(kind: .dtype)
            node.dtype = dtype
            return .node(graph.add(node))

        case .scalar:
            // scalar(dtype, raw element bytes) → numpy.float64(...) etc.
            guard (1...2).contains(args.count), let dtype = builtDType(args[0]) else {
                throw invalidArguments(global, "expected (numpy.dtype, bytes)")
            }
            if dtype.kind == .object {
                // numpy: scalar(dtype('O'), obj) is obj itself.
                return args.count == 2 ? args[1] : .value(.none)
            }
            let raw: [UInt8]
            if args.count == 2 {
                guard let bytes = bytesValue(args[1]) else { throw invalidArguments(global, "element data is a \(graph.describe(args[1])), not bytes") }
                raw = bytes
            } else {
                raw = [UInt8](repeating: 0, count: dtype.itemSize)  // numpy: a zero scalar
            }
            guard raw.count == dtype.itemSize else {
                throw invalidArguments(global, "a \(dtype.descr) scalar needs \(dtype.itemSize) bytes, found \(raw.count)")
            }
            return .value(.numpyScalar(try NumpyScalar(dtype: dtype, rawBytes: raw[...])))

        case .frombuffer:
            // _frombuffer(buffer, dtype, shape, order): protocol 5's in-band arrays.
            guard args.count == 4, let data = bytesValue(args[0]), let dtype = builtDType(args[1]),
                  let shape = shapeValue(args[2]), let order = stringValue(args[3]), order == "C" || order == "F"
            else { throw invalidArguments(global, "expected (buffer, numpy.dtype, shape, 'C' or 'F')") }
            guard dtype.kind != .object else { throw invalidArguments(global, "object arrays cannot come from a buffer") }
            var node = PickleObjectGraph.Node(kind: .numericArray)
            try fillNumericArray(&node, dtype: dtype, shape: shape, fortranOrder: order == "F", data: data)
            return .node(graph.add(node))

        case .codecsEncode:
            // _codecs.encode(text, 'latin1'): protocol 2's spelling of a bytes value.
            guard (1...2).contains(args.count), let text = stringValue(args[0]) else {
                throw invalidArguments(global, "expected (str, encoding)")
            }
            let encoding = args.count == 2 ? stringValue(args[1]) : "utf-8"
            return .value(.bytes(try encode(text, encoding: encoding, for: global)))

        case .bytes, .byteArray:
            // bytes() / bytearray(b'...') / bytearray('...', 'latin-1'): plain byte strings.
            switch args.count {
            case 0:
                return .value(.bytes([]))
            case 1:
                guard case .value(.bytes(let bytes)) = args[0] else { throw invalidArguments(global, "expected bytes") }
                return .value(.bytes(bytes))
            case 2:
                guard let text = stringValue(args[0]) else { throw invalidArguments(global, "expected (str, encoding)") }
                return .value(.bytes(try encode(text, encoding: stringValue(args[1]), for: global)))
            default:
                throw invalidArguments(global, "too many arguments")
            }

        case .set, .frozenSet:
            // set([items]) / frozenset([items]): protocols 2–3 have no set opcodes.
            let kind: PickleObjectGraph.Kind = global == .set ? .set : .frozenSet
            switch args.count {
            case 0:
                return .node(try graph.addContainer(kind, items: [], maxDepth: limits.maxDepth, offset: opcodeOffset))
            case 1:
                guard let items = sequenceItems(args[0]) else { throw invalidArguments(global, "expected a list of elements") }
                return .node(try graph.addContainer(kind, items: items, maxDepth: limits.maxDepth, offset: opcodeOffset))
            default:
                throw invalidArguments(global, "too many arguments")
            }

        case .orderedDict:
            guard args.isEmpty else { throw invalidArguments(global, "expected no arguments; items come from SETITEMS") }
            return .node(graph.add(PickleObjectGraph.Node(kind: .dict)))

        case .ndarray:
            throw invalidArguments(global, "numpy.ndarray may only appear as the first argument of _reconstruct")
        }
    }

    /// BUILD: the state of a dtype (byte order) or of an array (shape, dtype, data).
    mutating func applyBuild(_ state: PickleStackItem, to target: PickleStackItem) throws(PickleError) {
        guard case .node(let index) = target else {
            throw .notCallable(opcode: opcode.name, found: "__setstate__ of \(graph.describe(target))", offset: opcodeOffset)
        }
        let node = graph.node(index)
        switch node.kind {
        case .dtype where !node.isBuilt:
            guard let dtype = node.dtype else { throw unexpected(expected: "a numpy.dtype", found: target) }
            let built = try dtypeState(state, applyingTo: dtype)
            try graph.update(index) { node throws(PickleError) in
                node.dtype = built
                node.isBuilt = true
            }
        case .pendingArray:
            try buildArray(at: index, state: state)
        case .dict:
            // OrderedDict's __reduce__ may carry instance attributes; plain ones have none.
            if case .value(.none) = state { return }
            if case .node(let stateIndex) = state, graph.kind(of: stateIndex) == .dict, graph.node(stateIndex).keys.isEmpty { return }
            throw .notCallable(opcode: opcode.name, found: "__setstate__ of a dict with attributes", offset: opcodeOffset)
        default:
            throw .notCallable(opcode: opcode.name, found: "__setstate__ of \(graph.describe(target))", offset: opcodeOffset)
        }
    }

    /// NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args)`, allowed only for empty containers.
    mutating func applyNewObject(_ cls: PickleStackItem, arguments: PickleStackItem, keywordArguments: PickleStackItem?) throws(PickleError) -> PickleStackItem {
        guard case .callable(let global) = cls else {
            throw .notCallable(opcode: opcode.name, found: graph.describe(cls), offset: opcodeOffset)
        }
        let noArguments = tupleItems(arguments)?.isEmpty ?? false
        let noKeywords: Bool
        switch keywordArguments {
        case nil, .value(.none)?: noKeywords = true
        case .node(let index)?: noKeywords = graph.kind(of: index) == .dict && graph.node(index).keys.isEmpty
        default: noKeywords = false
        }
        guard noArguments, noKeywords else {
            throw invalidArguments(global, "\(opcode.name) is only read for empty containers")
        }
        switch global {
        case .orderedDict: return .node(graph.add(PickleObjectGraph.Node(kind: .dict)))
        case .set: return .node(try graph.addContainer(.set, items: [], maxDepth: limits.maxDepth, offset: opcodeOffset))
        case .frozenSet: return .node(try graph.addContainer(.frozenSet, items: [], maxDepth: limits.maxDepth, offset: opcodeOffset))
        case .bytes, .byteArray: return .value(.bytes([]))
        default:
            throw .notCallable(opcode: opcode.name, found: "\(global.qualifiedName).__new__", offset: opcodeOffset)
        }
    }

    // MARK: - numpy states

    /// numpy's dtype state: `(version, byteorder, subarray, names, fields, elsize,
    /// alignment, flags[, metadata])`, version 3 or 4. Only plain dtypes are accepted.
    private func dtypeState(_ state: PickleStackItem, applyingTo dtype: PickledDType) throws(PickleError) -> PickledDType {
        guard let fields = tupleItems(state), fields.count >= 2, let order = stringValue(fields[1]) else {
            throw .invalidArguments(callable: "numpy.dtype.__setstate__", reason: "expected (version, byteorder, ...)", offset: opcodeOffset)
        }
        let byteOrder: PickledDType.ByteOrder
        switch order {
        case "<", "=": byteOrder = .little  // numpy pickles native order explicitly; '=' is legacy
        case ">": byteOrder = .big
        case "|": byteOrder = .notApplicable
        default:
            throw .invalidArguments(callable: "numpy.dtype.__setstate__", reason: "unknown byte order '\(order)'", offset: opcodeOffset)
        }
        // subarray, names, fields: structured dtypes never occur in metadata.
        for position in 2...4 where position < fields.count {
            guard case .value(.none) = fields[position] else { throw .unsupportedDType(descr: "structured " + dtype.typeCode) }
        }
        var result = dtype.with(byteOrder: byteOrder)
        // Flexible types pickled as "U0"/"S0" take their size from elsize.
        if result.kind == .unicode || result.kind == .bytes, result.itemSize == 0, fields.count > 5,
           let elementSize = intValue(fields[5]), elementSize > 0 {
            guard result.kind != .unicode || elementSize % 4 == 0 else {
                throw .invalidArguments(callable: "numpy.dtype.__setstate__", reason: "a str dtype of \(elementSize) bytes", offset: opcodeOffset)
            }
            try checkItemSize(elementSize)
            result = result.with(itemSize: elementSize)
        }
        return result
    }

    /// ndarray state: `(version, shape, dtype, is_fortran, data)` (or the same without
    /// version, from old numpy). `data` is the raw bytes, or for object arrays a list of
    /// the elements in C order.
    private mutating func buildArray(at index: Int, state: PickleStackItem) throws(PickleError) {
        let callable = "numpy.ndarray.__setstate__"
        guard var fields = tupleItems(state), fields.count == 4 || fields.count == 5 else {
            throw .invalidArguments(callable: callable, reason: "expected (version, shape, dtype, is_fortran, data)", offset: opcodeOffset)
        }
        if fields.count == 5 { fields.removeFirst() }
        guard let shape = shapeValue(fields[0]) else {
            throw .invalidArguments(callable: callable, reason: "the shape is not a tuple of non-negative ints", offset: opcodeOffset)
        }
        guard let dtype = builtDType(fields[1]) else {
            throw .invalidArguments(callable: callable, reason: "the dtype is a \(graph.describe(fields[1]))", offset: opcodeOffset)
        }
        guard let fortranOrder = boolValue(fields[2]) else {
            throw .invalidArguments(callable: callable, reason: "is_fortran is a \(graph.describe(fields[2]))", offset: opcodeOffset)
        }
        if dtype.kind == .object {
            guard let elements = sequenceItems(fields[3]) else {
                throw .invalidArguments(callable: callable, reason: "object array data is a \(graph.describe(fields[3])), not a list", offset: opcodeOffset)
            }
            let count: Int
            do { count = try NumpyArrayValue.elementCount(of: shape) } catch { throw invalidArrayState(error) }
            guard count == elements.count else {
                throw .invalidArguments(callable: callable, reason: "shape \(shape) needs \(count) elements, the list has \(elements.count)", offset: opcodeOffset)
            }
            let height = elements.reduce(1) { max($0, graph.height(of: $1) + 1) }
            guard height <= limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
            try graph.update(index) { node throws(PickleError) in
                node.kind = .objectArray
                node.dtype = dtype
                node.shape = shape
                node.fortranOrder = fortranOrder
                node.items = elements
                node.height = height
            }
            return
        }
        guard let data = bytesValue(fields[3]) else {
            throw .invalidArguments(callable: callable, reason: "array data is a \(graph.describe(fields[3])), not bytes", offset: opcodeOffset)
        }
        var node = graph.node(index)
        try fillNumericArray(&node, dtype: dtype, shape: shape, fortranOrder: fortranOrder, data: data)
        try graph.update(index) { $0 = node }
    }

    private func fillNumericArray(_ node: inout PickleObjectGraph.Node, dtype: PickledDType, shape: [Int], fortranOrder: Bool, data: [UInt8]) throws(PickleError) {
        // Validates size and dtype by building the public value once.
        let array: NumpyArrayValue
        do {
            array = try NumpyArrayValue(dtype: dtype, shape: shape, fortranOrder: fortranOrder, data: data)
        } catch {
            throw invalidArrayState(error)
        }
        node.kind = .numericArray
        node.dtype = dtype.littleEndian
        node.shape = array.shape
        node.fortranOrder = fortranOrder
        node.data = array.data
        node.height = 1
    }

    private func invalidArrayState(_ error: PickleError) -> PickleError {
        if case .invalidValue(let reason) = error {
            return .invalidArguments(callable: "numpy.ndarray", reason: reason, offset: opcodeOffset)
        }
        return error
    }

    // MARK: - Operand readers

    private func tupleItems(_ item: PickleStackItem) -> [PickleStackItem]? {
        guard case .node(let index) = item, graph.kind(of: index) == .tuple else { return nil }
        return graph.node(index).items
    }

    /// Elements of a list or tuple (set constructors and object-array data take either).
    private func sequenceItems(_ item: PickleStackItem) -> [PickleStackItem]? {
        guard case .node(let index) = item else { return nil }
        switch graph.kind(of: index) {
        case .list, .tuple: return graph.node(index).items
        default: return nil
        }
    }

    private func builtDType(_ item: PickleStackItem) -> PickledDType? {
        guard case .node(let index) = item, graph.kind(of: index) == .dtype else { return nil }
        return graph.node(index).dtype
    }

    private func stringValue(_ item: PickleStackItem) -> String? {
        guard case .value(.string(let text)) = item else { return nil }
        return text
    }

    private func intValue(_ item: PickleStackItem) -> Int? {
        guard case .value(.int(let integer)) = item else { return nil }
        return Int(exactly: integer)
    }

    private func boolValue(_ item: PickleStackItem) -> Bool? {
        switch item {
        case .value(.bool(let flag)): return flag
        case .value(.int(let integer)) where integer == 0 || integer == 1: return integer == 1
        default: return nil
        }
    }

    /// Bytes, or a Python 2 byte string that arrived as a Latin-1 `str`.
    private func bytesValue(_ item: PickleStackItem) -> [UInt8]? {
        switch item {
        case .value(.bytes(let bytes)): return bytes
        case .value(.string(let text)): return PythonTextLiterals.latin1Bytes(text)
        default: return nil
        }
    }

    private func shapeValue(_ item: PickleStackItem) -> [Int]? {
        guard let items = tupleItems(item) else { return nil }
        var shape: [Int] = []
        for item in items {
            guard let dimension = intValue(item), dimension >= 0 else { return nil }
            shape.append(dimension)
        }
        return shape
    }

    private func encode(_ text: String, encoding: String?, for global: PickleAllowedGlobal) throws(PickleError) -> [UInt8] {
        switch encoding?.lowercased() {
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1":
            guard let bytes = PythonTextLiterals.latin1Bytes(text) else {
                throw invalidArguments(global, "text has characters outside Latin-1")
            }
            return bytes
        case "utf-8", "utf8":
            return Array(text.utf8)
        default:
            throw invalidArguments(global, "encoding \(encoding.map { "'\($0)'" } ?? "missing") is not latin1 or utf-8")
        }
    }

    /// A dtype like 'U999999999' would make a zero scalar allocate gigabytes.
    private func checkItemSize(_ itemSize: Int) throws(PickleError) {
        guard itemSize <= limits.maxItemBytes else {
            throw .lengthExceedsLimit(opcode: opcode.name, length: UInt64(itemSize), limit: limits.maxItemBytes, offset: opcodeOffset)
        }
    }

    private func invalidArguments(_ global: PickleAllowedGlobal, _ reason: String) -> PickleError {
        .invalidArguments(callable: global.qualifiedName, reason: reason, offset: opcodeOffset)
    }
}

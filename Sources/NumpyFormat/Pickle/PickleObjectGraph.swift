/// The objects a pickle builds, kept as a flat arena addressed by index.
///
/// Pickle semantics need shared, mutable objects: the memo stores a list when it is
/// created (EMPTY_LIST, MEMOIZE) and APPENDS fill it afterwards, so a later BINGET must
/// see the filled list. An arena of plain structs gives that sharing without reference
/// types, so a hostile pickle cannot build a 100 000-deep chain of objects whose
/// deallocation recurses; nesting only becomes real recursion in `materialize`, which
/// checks depth, cycles and the expanded size first.
struct PickleObjectGraph {
    enum Kind: Sendable {
        case list, tuple, dict, set, frozenSet
        /// `numpy.dtype(...)`, byte order set by the following BUILD.
        case dtype
        /// `_reconstruct(ndarray, ...)` before its BUILD supplies shape, dtype and data.
        case pendingArray
        case numericArray
        case objectArray
    }

    struct Node: Sendable {
        var kind: Kind
        /// Elements of a list/tuple/set/object array, or the values of a dict.
        var items: [PickleStackItem] = []
        /// Keys of a dict, parallel to `items`.
        var keys: [PickleStackItem] = []
        /// Position of each hashable leaf key/element, so a repeated key overwrites the
        /// value in place and a repeated set element is dropped, as in Python.
        var positions: [MetadataValue: Int] = [:]
        var dtype: PickledDType?
        /// A dtype's BUILD has been applied (numpy would refuse a second one).
        var isBuilt = false
        var shape: [Int] = []
        var fortranOrder = false
        /// Numeric array data, already little-endian.
        var data: [UInt8] = []
        /// Longest container chain below and including this node, as far as known when
        /// children were added (memo aliasing can make it stale; `materialize` re-checks).
        var height = 1

        init(kind: Kind) {
            self.kind = kind
        }
    }

    private(set) var nodes: [Node] = []

    mutating func add(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    func kind(of index: Int) -> Kind { nodes[index].kind }

    func node(_ index: Int) -> Node { nodes[index] }

    mutating func update(_ index: Int, _ change: (inout Node) throws(PickleError) -> Void) throws(PickleError) {
        try change(&nodes[index])
    }

    func height(of item: PickleStackItem) -> Int {
        if case .node(let index) = item { return nodes[index].height }
        return 0
    }

    /// A short description for error messages: "list", "numpy.dtype", "numpy.ndarray".
    func describe(_ item: PickleStackItem) -> String {
        switch item {
        case .value(let value): return value.kindDescription
        case .callable(let global): return global.qualifiedName
        case .node(let index):
            switch nodes[index].kind {
            case .list: return "list"
            case .tuple: return "tuple"
            case .dict: return "dict"
            case .set: return "set"
            case .frozenSet: return "frozenset"
            case .dtype: return "numpy.dtype"
            case .pendingArray, .numericArray, .objectArray: return "numpy.ndarray"
            }
        }
    }

    // MARK: - Building containers

    /// A container holding `items`; fails if that would nest deeper than `maxDepth`.
    mutating func addContainer(_ kind: Kind, items: [PickleStackItem], maxDepth: Int, offset: Int) throws(PickleError) -> Int {
        var node = Node(kind: kind)
        node.height = try heightWithChildren(1, items, maxDepth: maxDepth, offset: offset)
        if kind == .set || kind == .frozenSet {
            let index = add(node)
            try addSetElements(items, to: index, maxDepth: maxDepth, offset: offset)
            return index
        }
        node.items = items
        return add(node)
    }

    mutating func appendElements(_ items: [PickleStackItem], toList index: Int, maxDepth: Int, offset: Int) throws(PickleError) {
        let height = try heightWithChildren(nodes[index].height, items, maxDepth: maxDepth, offset: offset)
        nodes[index].height = height
        nodes[index].items.append(contentsOf: items)
    }

    mutating func addSetElements(_ items: [PickleStackItem], to index: Int, maxDepth: Int, offset: Int) throws(PickleError) {
        nodes[index].height = try heightWithChildren(nodes[index].height, items, maxDepth: maxDepth, offset: offset)
        for item in items {
            if let key = try hashKey(item, offset: offset) {
                if nodes[index].positions[key] != nil { continue }
                nodes[index].positions[key] = nodes[index].items.count
            }
            nodes[index].items.append(item)
        }
    }

    mutating func setItems(_ pairs: [(key: PickleStackItem, value: PickleStackItem)], inDict index: Int, maxDepth: Int, offset: Int) throws(PickleError) {
        let children = pairs.flatMap { [$0.key, $0.value] }
        nodes[index].height = try heightWithChildren(nodes[index].height, children, maxDepth: maxDepth, offset: offset)
        for pair in pairs {
            if let key = try hashKey(pair.key, offset: offset) {
                if let existing = nodes[index].positions[key] {
                    // Python keeps the first key object and replaces the value.
                    nodes[index].items[existing] = pair.value
                    continue
                }
                nodes[index].positions[key] = nodes[index].items.count
            }
            nodes[index].keys.append(pair.key)
            nodes[index].items.append(pair.value)
        }
    }

    private func heightWithChildren(_ current: Int, _ children: [PickleStackItem], maxDepth: Int, offset: Int) throws(PickleError) -> Int {
        var result = current
        for child in children {
            result = max(result, height(of: child) + 1)
        }
        guard result <= maxDepth else { throw .nestingTooDeep(limit: maxDepth, offset: offset) }
        return result
    }

    /// The value Python would hash a key by, so that `1`, `1.0`, `True` and
    /// `numpy.int64(1)` collide as they do in a Python dict. Nil for keys that are
    /// hashable but not leaves (tuples, frozensets): those are kept without merging.
    private func hashKey(_ item: PickleStackItem, offset: Int) throws(PickleError) -> MetadataValue? {
        switch item {
        case .value(let value):
            return Self.pythonEquivalenceKey(value)
        case .callable:
            return nil
        case .node(let index):
            switch nodes[index].kind {
            case .tuple, .frozenSet, .dtype: return nil
            case .list, .dict, .set, .pendingArray, .numericArray, .objectArray:
                throw .unhashableKey(found: describe(item), offset: offset)
            }
        }
    }

    private static func pythonEquivalenceKey(_ value: MetadataValue) -> MetadataValue {
        switch value {
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .float(let number):
            if let integral = Int64(exactly: number) { return .int(integral) }
            return value
        case .numpyScalar(let scalar): return pythonEquivalenceKey(scalar.value)
        default: return value
        }
    }

    // MARK: - Materialising the value tree

    /// Turns the final stack item into a `MetadataValue`, refusing cycles, nesting deeper
    /// than `limits.maxDepth`, and trees that expand beyond `limits.maxTotalItems` values.
    func materialize(_ root: PickleStackItem, limits: PickleLimits) throws(PickleError) -> MetadataValue {
        var materializer = Materializer(graph: self, limits: limits)
        let result = try materializer.visit(root, depth: 0)
        guard result.size <= limits.maxTotalItems else { throw .tooManyItems(limit: limits.maxTotalItems) }
        return result.value
    }

    private struct Materializer {
        /// A converted subtree: its value, how many values it expands to, how deep it nests.
        struct Result {
            var value: MetadataValue
            var size: Int
            var height: Int
        }

        let graph: PickleObjectGraph
        let limits: PickleLimits
        /// Each node is converted once; a node referenced from several places (through the
        /// memo) is shared by value, which Swift's copy-on-write makes cheap. Its size and
        /// height still count at every place it appears.
        var finished: [Int: Result] = [:]
        var onPath: Set<Int> = []

        mutating func visit(_ item: PickleStackItem, depth: Int) throws(PickleError) -> Result {
            switch item {
            case .value(let value):
                return Result(value: value, size: 1, height: 0)
            case .callable(let global):
                throw .unsupportedValue(description: "a bare reference to \(global.qualifiedName)")
            case .node(let index):
                if let done = finished[index] {
                    guard depth + done.height <= limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth, offset: nil) }
                    return done
                }
                guard !onPath.contains(index) else { throw .recursiveStructure }
                guard depth < limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth, offset: nil) }
                onPath.insert(index)
                let result = try build(graph.nodes[index], depth: depth + 1)
                onPath.remove(index)
                finished[index] = result
                return result
            }
        }

        private mutating func children(_ items: [PickleStackItem], depth: Int) throws(PickleError) -> (values: [MetadataValue], size: Int, height: Int) {
            var values: [MetadataValue] = []
            values.reserveCapacity(items.count)
            var size = 1
            var height = 1
            for item in items {
                let child = try visit(item, depth: depth)
                values.append(child.value)
                size = Self.saturatingAdd(size, child.size)
                height = max(height, child.height + 1)
                guard size <= limits.maxTotalItems else { throw .tooManyItems(limit: limits.maxTotalItems) }
            }
            return (values, size, height)
        }

        private mutating func build(_ node: Node, depth: Int) throws(PickleError) -> Result {
            switch node.kind {
            case .list:
                let built = try children(node.items, depth: depth)
                return Result(value: .list(built.values), size: built.size, height: built.height)
            case .tuple:
                let built = try children(node.items, depth: depth)
                return Result(value: .tuple(built.values), size: built.size, height: built.height)
            case .set, .frozenSet:
                let built = try children(node.items, depth: depth)
                return Result(value: .set(built.values), size: built.size, height: built.height)
            case .dict:
                let keys = try children(node.keys, depth: depth)
                let values = try children(node.items, depth: depth)
                let entries = zip(keys.values, values.values).map { MetadataEntry(key: $0, value: $1) }
                let size = Self.saturatingAdd(keys.size, values.size)
                guard size <= limits.maxTotalItems else { throw .tooManyItems(limit: limits.maxTotalItems) }
                return Result(value: .dict(entries), size: size, height: max(keys.height, values.height))
            case .objectArray:
                let built = try children(node.items, depth: depth)
                let array = try NumpyArrayValue(objectElements: built.values, shape: node.shape, fortranOrder: node.fortranOrder)
                return Result(value: .numpyArray(array), size: built.size, height: built.height)
            case .numericArray:
                guard let dtype = node.dtype else { throw .unsupportedValue(description: "a numpy array without a dtype") }
                let array = try NumpyArrayValue(dtype: dtype, shape: node.shape, fortranOrder: node.fortranOrder, data: node.data)
                let size = Self.saturatingAdd(1, array.elementCount)
                guard size <= limits.maxTotalItems else { throw .tooManyItems(limit: limits.maxTotalItems) }
                return Result(value: .numpyArray(array), size: size, height: 1)
            case .dtype:
                throw .unsupportedValue(description: "a bare numpy.dtype (\(node.dtype?.descr ?? "?"))")
            case .pendingArray:
                throw .unsupportedValue(description: "a numpy.ndarray that was never given its contents (no BUILD)")
            }
        }

        private static func saturatingAdd(_ lhs: Int, _ rhs: Int) -> Int {
            let (sum, overflow) = lhs.addingReportingOverflow(rhs)
            return overflow ? Int.max : sum
        }
    }
}

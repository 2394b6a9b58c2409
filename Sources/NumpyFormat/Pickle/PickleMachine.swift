/// The unpickler's stack machine (CPython `Lib/pickle.py` `_Unpickler`), over plain data.
///
/// Stack discipline follows CPython 3: MARK starts a new stack frame (the "metastack"), so
/// an opcode can never pop below the innermost MARK; doing so is `stackUnderflow`, which is
/// what CPython reports too.
struct PickleMachine {
    let limits: PickleLimits
    var reader: PickleByteReader
    var graph = PickleObjectGraph()
    private var stack: [PickleStackItem] = []
    /// Stack heights at each open MARK.
    private var marks: [Int] = []
    private var memo: [UInt64: PickleStackItem] = [:]
    /// Offset of the opcode being executed, for error messages.
    private(set) var opcodeOffset = 0
    private(set) var opcode = PickleOpcode.stop

    init(bytes: [UInt8], limits: PickleLimits) {
        self.limits = limits
        self.reader = PickleByteReader(bytes)
    }

    /// Runs to STOP and returns the item it pops.
    mutating func run() throws(PickleError) -> PickleStackItem {
        while true {
            opcodeOffset = reader.offset
            guard !reader.isAtEnd else { throw .truncated(offset: reader.offset) }
            let byte = try reader.readByte()
            guard let decoded = PickleOpcode(rawValue: byte) else {
                throw .unknownOpcode(byte: byte, offset: opcodeOffset)
            }
            opcode = decoded
            if decoded == .stop { return try pop() }
            try execute(decoded)
        }
    }

    // MARK: - Dispatch

    private mutating func execute(_ opcode: PickleOpcode) throws(PickleError) {
        switch opcode {
        // Framing and protocol
        case .proto:
            let version = try reader.readByte()
            guard version <= 5 else { throw .unsupportedProtocol(version: Int(version), offset: opcodeOffset) }
        case .frame:
            // Frames only group opcodes for buffered reading; the length must still fit.
            let length = try reader.readLittleEndian(byteCount: 8)
            guard length <= UInt64(reader.remaining) else { throw .truncated(offset: reader.bytes.count) }
        case .stop:
            break  // handled in run()

        // Stack manipulation
        case .mark:
            guard marks.count < limits.maxDepth else { throw .nestingTooDeep(limit: limits.maxDepth, offset: opcodeOffset) }
            marks.append(stack.count)
        case .pop:
            // CPython: POP with an empty frame discards the MARK instead.
            if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark() }
        case .popMark:
            _ = try popMark()
        case .dup:
            try push(top())

        // Constants and numbers
        case .none: push(.value(.none))
        case .newTrue: push(.value(.bool(true)))
        case .newFalse: push(.value(.bool(false)))
        case .binInt:
            let bits = try reader.readLittleEndian(byteCount: 4)
            push(.value(.int(Int64(Int32(truncatingIfNeeded: bits)))))
        case .binInt1:
            push(.value(.int(Int64(try reader.readByte()))))
        case .binInt2:
            push(.value(.int(Int64(try reader.readLittleEndian(byteCount: 2)))))
        case .long1:
            let length = UInt64(try reader.readByte())
            try pushLong(length: length)
        case .long4:
            let length = try reader.readLittleEndian(byteCount: 4)
            try pushLong(length: length)
        case .int:
            guard let value = PythonTextLiterals.intValue(try readIntegerLine()) else { throw invalidText("not an integer") }
            push(.value(value))
        case .long:
            guard let value = PythonTextLiterals.longValue(try readIntegerLine()) else { throw invalidText("not an integer") }
            push(.value(value))
        case .float:
            guard let value = PythonTextLiterals.floatValue(try reader.readLine()) else { throw invalidText("not a float") }
            push(.value(.float(value)))
        case .binFloat:
            // The one big-endian field in the format.
            let bytes = try reader.read(count: 8)
            push(.value(.float(Double(bitPattern: bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))))

        // Strings and bytes
        case .shortBinUnicode: try pushUnicode(length: UInt64(try reader.readByte()))
        case .binUnicode: try pushUnicode(length: try reader.readLittleEndian(byteCount: 4))
        case .binUnicode8: try pushUnicode(length: try reader.readLittleEndian(byteCount: 8))
        case .unicode:
            let line = try reader.readLine()
            try checkTextLength(line.count)
            guard let text = PythonTextLiterals.rawUnicodeEscape(line) else {
                throw invalidText("not raw-unicode-escape text")
            }
            push(.value(.string(text)))
        case .shortBinBytes: try pushBytes(length: UInt64(try reader.readByte()))
        case .binBytes: try pushBytes(length: try reader.readLittleEndian(byteCount: 4))
        case .binBytes8, .byteArray8: try pushBytes(length: try reader.readLittleEndian(byteCount: 8))
        case .shortBinString: try pushLatin1(length: UInt64(try reader.readByte()))
        case .binString:
            // A signed 4-byte length in CPython; a negative one is corrupt.
            let bits = try reader.readLittleEndian(byteCount: 4)
            guard Int32(truncatingIfNeeded: bits) >= 0 else { throw invalidText("negative BINSTRING length") }
            try pushLatin1(length: bits)
        case .string:
            let line = try reader.readLine()
            try checkTextLength(line.count)
            guard let bytes = PythonTextLiterals.quotedBytes(line) else {
                throw invalidText("not a quoted Python 2 string")
            }
            push(.value(.string(PythonTextLiterals.latin1String(bytes))))

        // Containers
        case .emptyList: push(.node(graph.add(PickleObjectGraph.Node(kind: .list))))
        case .emptyTuple: push(try container(.tuple, []))
        case .emptyDict: push(.node(graph.add(PickleObjectGraph.Node(kind: .dict))))
        case .emptySet: push(.node(graph.add(PickleObjectGraph.Node(kind: .set))))
        case .list: push(try container(.list, try popMark()))
        case .tuple: push(try container(.tuple, try popMark()))
        case .frozenSet: push(try container(.frozenSet, try popMark()))
        case .tuple1: push(try container(.tuple, try pop(count: 1)))
        case .tuple2: push(try container(.tuple, try pop(count: 2)))
        case .tuple3: push(try container(.tuple, try pop(count: 3)))
        case .dict:
            let items = try popMark()
            let index = graph.add(PickleObjectGraph.Node(kind: .dict))
            try setItems(items, into: .node(index))
            push(.node(index))
        case .append:
            let item = try pop()
            try appendItems([item], to: top())
        case .appends:
            let items = try popMark()
            try appendItems(items, to: top())
        case .setItem:
            let pair = try pop(count: 2)
            try setItems(pair, into: top())
        case .setItems:
            let items = try popMark()
            try setItems(items, into: top())
        case .addItems:
            let items = try popMark()
            let target = try top()
            guard case .node(let index) = target, graph.kind(of: index) == .set else {
                throw unexpected(expected: "a set", found: target)
            }
            try graph.addSetElements(items, to: index, maxDepth: limits.maxDepth, offset: opcodeOffset)

        // Memo
        case .put: try memoPut(key: try textMemoIndex())
        case .binPut: try memoPut(key: UInt64(try reader.readByte()))
        case .longBinPut: try memoPut(key: try reader.readLittleEndian(byteCount: 4))
        case .memoize: try memoPut(key: UInt64(memo.count))
        case .get: try memoGet(key: try textMemoIndex())
        case .binGet: try memoGet(key: UInt64(try reader.readByte()))
        case .longBinGet: try memoGet(key: try reader.readLittleEndian(byteCount: 4))

        // Globals and object construction: only the allow-list, interpreted in Swift.
        case .global:
            let module = try readGlobalLine()
            let name = try readGlobalLine()
            push(.callable(try Self.allowedGlobal(module: module, name: name)))
        case .stackGlobal:
            let parts = try pop(count: 2)
            guard case .value(.string(let module)) = parts[0], case .value(.string(let name)) = parts[1] else {
                throw unexpected(expected: "a module and a name (two str)", found: parts[0])
            }
            push(.callable(try Self.allowedGlobal(module: module, name: name)))
        case .reduce:
            let arguments = try pop()
            let callable = try pop()
            push(try applyReduce(callable, arguments: arguments))
        case .build:
            let state = try pop()
            try applyBuild(state, to: top())
        case .newObj:
            let arguments = try pop()
            let cls = try pop()
            push(try applyNewObject(cls, arguments: arguments, keywordArguments: nil))
        case .newObjEx:
            let keywordArguments = try pop()
            let arguments = try pop()
            let cls = try pop()
            push(try applyNewObject(cls, arguments: arguments, keywordArguments: keywordArguments))

        // Refused outright.
        case .inst:
            // INST names its class inline: refuse an unknown one by name, as for GLOBAL.
            let module = try readGlobalLine()
            let name = try readGlobalLine()
            _ = try Self.allowedGlobal(module: module, name: name)
            throw .unsupportedOpcode(name: opcode.name, offset: opcodeOffset, reason: "protocol-0 instance creation is never used for metadata")
        case .obj:
            throw .unsupportedOpcode(name: opcode.name, offset: opcodeOffset, reason: "protocol-1 instance creation is never used for metadata")
        case .persistentID, .binPersistentID:
            throw .unsupportedOpcode(name: opcode.name, offset: opcodeOffset, reason: "persistent ids refer to objects outside the file")
        case .ext1, .ext2, .ext4:
            throw .unsupportedOpcode(name: opcode.name, offset: opcodeOffset, reason: "extension codes name globals through a registry dosecurate does not have")
        case .nextBuffer, .readonlyBuffer:
            throw .outOfBandBuffer(opcode: opcode.name, offset: opcodeOffset)
        }
    }

    // MARK: - Stack

    mutating func push(_ item: PickleStackItem) {
        stack.append(item)
    }

    mutating func pop() throws(PickleError) -> PickleStackItem {
        guard stack.count > (marks.last ?? 0), let item = stack.popLast() else {
            throw .stackUnderflow(opcode: opcode.name, offset: opcodeOffset)
        }
        return item
    }

    /// The top `count` items, oldest first.
    private mutating func pop(count: Int) throws(PickleError) -> [PickleStackItem] {
        guard stack.count - (marks.last ?? 0) >= count else {
            throw .stackUnderflow(opcode: opcode.name, offset: opcodeOffset)
        }
        let items = Array(stack.suffix(count))
        stack.removeLast(count)
        return items
    }

    func top() throws(PickleError) -> PickleStackItem {
        guard stack.count > (marks.last ?? 0), let item = stack.last else {
            throw .stackUnderflow(opcode: opcode.name, offset: opcodeOffset)
        }
        return item
    }

    /// Everything pushed since the innermost MARK, which is closed.
    private mutating func popMark() throws(PickleError) -> [PickleStackItem] {
        guard let mark = marks.popLast() else { throw .markMissing(opcode: opcode.name, offset: opcodeOffset) }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    // MARK: - Operand helpers

    private mutating func container(_ kind: PickleObjectGraph.Kind, _ items: [PickleStackItem]) throws(PickleError) -> PickleStackItem {
        .node(try graph.addContainer(kind, items: items, maxDepth: limits.maxDepth, offset: opcodeOffset))
    }

    private mutating func appendItems(_ items: [PickleStackItem], to target: PickleStackItem) throws(PickleError) {
        guard case .node(let index) = target, graph.kind(of: index) == .list else {
            throw unexpected(expected: "a list", found: target)
        }
        try graph.appendElements(items, toList: index, maxDepth: limits.maxDepth, offset: opcodeOffset)
    }

    private mutating func setItems(_ items: [PickleStackItem], into target: PickleStackItem) throws(PickleError) {
        guard case .node(let index) = target, graph.kind(of: index) == .dict else {
            throw unexpected(expected: "a dict", found: target)
        }
        guard items.count % 2 == 0 else {
            throw .unexpectedValue(opcode: opcode.name, expected: "key/value pairs", found: "an odd number of items (\(items.count))", offset: opcodeOffset)
        }
        let pairs = stride(from: 0, to: items.count, by: 2).map { (key: items[$0], value: items[$0 + 1]) }
        try graph.setItems(pairs, inDict: index, maxDepth: limits.maxDepth, offset: opcodeOffset)
    }

    private mutating func pushLong(length: UInt64) throws(PickleError) {
        let bytes = try reader.readPayload(length: length, limit: limits.maxIntegerBytes, opcode: opcode, opcodeOffset: opcodeOffset)
        push(.value(PythonIntegerBytes.decode(bytes)))
    }

    private mutating func pushUnicode(length: UInt64) throws(PickleError) {
        let bytes = try reader.readPayload(length: length, limit: limits.maxItemBytes, opcode: opcode, opcodeOffset: opcodeOffset)
        // CPython encodes with 'surrogatepass', so a lone surrogate is possible in a
        // pickle; Swift strings cannot hold one, and metadata never needs one.
        guard let text = Self.strictUTF8(bytes) else {
            throw invalidText("not valid UTF-8 (a lone surrogate or corrupt bytes)")
        }
        push(.value(.string(text)))
    }

    private mutating func pushBytes(length: UInt64) throws(PickleError) {
        let bytes = try reader.readPayload(length: length, limit: limits.maxItemBytes, opcode: opcode, opcodeOffset: opcodeOffset)
        push(.value(.bytes(Array(bytes))))
    }

    private mutating func pushLatin1(length: UInt64) throws(PickleError) {
        let bytes = try reader.readPayload(length: length, limit: limits.maxItemBytes, opcode: opcode, opcodeOffset: opcodeOffset)
        push(.value(.string(PythonTextLiterals.latin1String(bytes))))
    }

    /// Protocol-0 integers are decimal text; converting it is quadratic in its length, so
    /// it gets the same bound as LONG1/LONG4 (about 2.5 digits per byte, rounded up).
    private mutating func readIntegerLine() throws(PickleError) -> ArraySlice<UInt8> {
        let line = try reader.readLine()
        let limit = limits.maxIntegerBytes * 3 + 2  // digits, sign and Python 2's 'L'
        guard line.count <= limit else {
            throw .lengthExceedsLimit(opcode: opcode.name, length: UInt64(line.count), limit: limit, offset: opcodeOffset)
        }
        return line
    }

    /// Escaped text never decodes to more than its own length.
    private func checkTextLength(_ count: Int) throws(PickleError) {
        guard count <= limits.maxItemBytes else {
            throw .lengthExceedsLimit(opcode: opcode.name, length: UInt64(count), limit: limits.maxItemBytes, offset: opcodeOffset)
        }
    }

    private mutating func memoPut(key: UInt64) throws(PickleError) {
        memo[key] = try top()
    }

    private mutating func memoGet(key: UInt64) throws(PickleError) {
        guard let item = memo[key] else { throw .memoKeyMissing(key: key, offset: opcodeOffset) }
        push(item)
    }

    private mutating func textMemoIndex() throws(PickleError) -> UInt64 {
        guard let index = PythonTextLiterals.memoIndex(try reader.readLine()) else { throw invalidText("not a memo index") }
        return index
    }

    /// GLOBAL/INST name lines are UTF-8 in protocol 3+ and ASCII before.
    private mutating func readGlobalLine() throws(PickleError) -> String {
        let line = try reader.readLine()
        guard line.count <= 1024, let text = Self.strictUTF8(line) else {
            throw invalidText("not a module or attribute name")
        }
        return text
    }

    /// UTF-8 text, or nil if the bytes are not valid UTF-8. Decoding repairs bad sequences
    /// with U+FFFD, so a repaired string re-encodes differently. (`String(validating:)`
    /// would say the same but needs macOS 15, and the package deploys to macOS 13.)
    /// Validates in one pass, without repairing (a repaired string would differ from the bytes).
    private static func strictUTF8(_ bytes: ArraySlice<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    static func allowedGlobal(module: String, name: String) throws(PickleError) -> PickleAllowedGlobal {
        guard let global = PickleAllowedGlobal(module: module, name: name) else {
            throw .disallowedGlobal(module: module, name: name)
        }
        return global
    }

    func unexpected(expected: String, found: PickleStackItem) -> PickleError {
        .unexpectedValue(opcode: opcode.name, expected: expected, found: graph.describe(found), offset: opcodeOffset)
    }

    private func invalidText(_ reason: String) -> PickleError {
        .invalidText(opcode: opcode.name, reason: reason, offset: opcodeOffset)
    }
}

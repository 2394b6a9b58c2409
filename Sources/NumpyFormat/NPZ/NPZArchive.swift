/// A `.npz` file opened for reading: its member listing (from the ZIP central directory) and
/// reads of one member, every member in one pass, or one member in bounded chunks.
///
/// Nothing is held in memory beyond what a call returns: each member is found through the
/// central directory and inflated (ISA-L) straight from the file into the caller's storage.
public struct NPZArchive: Sendable {
    public let path: String
    public let members: [NPZMember]
    /// The largest array (data bytes) a header may declare before anything is allocated.
    public let maximumArrayBytes: Int

    /// Default ceiling per member: ten times the largest real member (~0.4 GB) yet small enough
    /// that a header declaring 12 GiB of zeros (a 16 MB file) is refused before allocation, where
    /// a failed allocation would abort the whole run.
    public static let defaultMaximumArrayBytes = 4 << 30
    /// numpy's own reader refuses headers above 10 000 bytes unless told otherwise.
    static let maximumPreambleBytes = 1 << 20
    /// Pickled metadata is a few kilobytes; anything near this is not pipeline metadata.
    public static let maximumPickleBytes = 64 << 20

    public init(path: String, maximumArrayBytes: Int = NPZArchive.defaultMaximumArrayBytes) throws {
        self.path = path
        self.maximumArrayBytes = maximumArrayBytes
        members = try ZipDirectory.read(from: RandomAccessFile(path: path))
        // Looked up by key and by member name; a name can equal another member's key only if
        // it lacks `.npy`, and then the first listed wins, as a linear search would.
        var index: [String: Int] = [:]
        for (position, member) in members.enumerated() {
            if index[member.key] == nil { index[member.key] = position }
            if index[member.name] == nil { index[member.name] = position }
        }
        memberIndex = index
    }

    /// Member position by key and by name: a file with 100 000 members is looked up in constant
    /// time per key, not searched from the start each time.
    private let memberIndex: [String: Int]

    /// The array keys (member names without `.npy`) in archive order.
    public var keys: [String] { members.map(\.key) }

    public func member(named key: String) throws -> NPZMember {
        guard let position = memberIndex[key] else {
            throw NPZError.memberNotFound(file: path, member: key, available: keys)
        }
        return members[position]
    }

    /// Reads one numeric array by key (`dose`) or member name (`dose.npy`).
    public func read(_ key: String) throws -> NPYArray {
        switch try readContent(key) {
        case let .array(array): return array
        case let .pickledObject(object): throw NPYError.pickledObject(source: object.source)
        }
    }

    /// Every member's `.npy` header, and the whole of each (small) pickled member, in one pass:
    /// a few hundred bytes are inflated per array, the rest of its data is skipped unread.
    public func preview() throws -> [String: NPZPreview] {
        var previews: [String: NPZPreview] = [:]
        try walkMembers { member, reader in
            let decoder = memberReader(member, reader)
            switch try decoder.readHeader() {
            case let .numeric(header):
                previews[member.key] = .array(header)
            case let .pickledObject(shape, fortranOrder, dataOffset):
                previews[member.key] = .pickledObject(try decoder.readPickle(shape: shape, fortranOrder: fortranOrder, dataOffset: dataOffset))
            }
        }
        return previews
    }

    /// Reads the pickle bytes of an object-array member (`metadata`), without unpickling them.
    public func readPickledObject(_ key: String) throws -> NPYPickledObject {
        switch try readContent(key) {
        case let .pickledObject(object): return object
        case let .array(array):
            throw NPYError.wrongKind(source: array.source, reason: "holds a numeric \(array.dtype.descr) array, not a pickled object")
        }
    }

    /// Reads one member, numeric or pickled, by key or member name.
    public func readContent(_ key: String) throws -> NPZContent {
        let (wanted, reader) = try reader(positionedAt: key)
        return try memberReader(wanted, reader).readContent()
    }

    /// A reader whose next read is the start of `key`'s data: nothing before it is inflated.
    private func reader(positionedAt key: String) throws -> (NPZMember, ZipMemberInflater) {
        let wanted = try member(named: key)
        return (wanted, try ZipMemberInflater(file: RandomAccessFile(path: path), member: wanted))
    }

    /// Reads every member in one pass through the file, in archive order.
    public func forEachMember(_ body: (NPZMember, NPZContent) throws -> Void) throws {
        try walkMembers { member, reader in try body(member, try memberReader(member, reader).readContent()) }
    }

    /// Visits every member in archive order (by local-header offset, so the file is read front to
    /// back); `body` reads as much of each member as it needs.
    private func walkMembers(_ body: (NPZMember, ZipMemberInflater) throws -> Void) throws {
        let file = try RandomAccessFile(path: path)
        for member in members.sorted(by: { $0.localHeaderOffset < $1.localHeaderOffset }) {
            try body(member, try ZipMemberInflater(file: file, member: member))
        }
    }

    /// Reads every member, largest first, on up to `concurrency` threads (each with its own
    /// handle on the file). Members inflate independently, so two cores decode
    /// about twice as fast as one.
    public func readAll(concurrency: Int = 2) async throws -> [String: NPZContent] {
        let bySize = members.sorted { $0.inflatedSize > $1.inflatedSize }
        let workers = max(1, min(concurrency, bySize.count))
        var queues = [[NPZMember]](repeating: [], count: workers)
        var load = [Int](repeating: 0, count: workers)
        for member in bySize {
            let lightest = load.indices.min { load[$0] < load[$1] } ?? 0
            queues[lightest].append(member)
            load[lightest] += member.inflatedSize
        }
        return try await withThrowingTaskGroup(of: [(String, NPZContent)].self) { group in
            for queue in queues where !queue.isEmpty {
                group.addTask { try self.readMembers(queue) }
            }
            var arrays: [String: NPZContent] = [:]
            for try await batch in group {
                for (key, array) in batch { arrays[key] = array }
            }
            return arrays
        }
    }

    private func readMembers(_ queue: [NPZMember]) throws -> [(String, NPZContent)] {
        let file = try RandomAccessFile(path: path)
        return try queue.map { member in
            (member.key, try memberReader(member, try ZipMemberInflater(file: file, member: member)).readContent())
        }
    }

    /// Streams one member's canonical elements (C order, little-endian) in chunks of
    /// `chunkElements(header)` elements, without holding the whole array. C-ordered members
    /// stream as they inflate; a Fortran-ordered member has to be read whole first, since its
    /// first C-order chunk depends on its last stored bytes.
    public func streamChunks(
        of key: String,
        chunkElements: (NPYHeader) -> Int,
        _ body: (_ header: NPYHeader, _ elements: Range<Int>, _ bytes: UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let (wanted, reader) = try reader(positionedAt: key)
        let decoder = memberReader(wanted, reader)
        guard case let .numeric(header) = try decoder.readHeader() else { throw NPYError.pickledObject(source: source(wanted)) }
        try decoder.streamData(header: header, chunkElements: max(1, chunkElements(header))) { elements, bytes in
            try body(header, elements, bytes)
        }
    }

    /// One pass over the whole archive in archive order, never holding more than one chunk of
    /// array data: what an audit or an identity hash needs to see every byte once. A member's
    /// CRC is verified at its end, so when the pass throws, discard what it delivered.
    public func stream(maxChunkBytes: Int = 8 << 20, _ body: (NPZStreamEvent) throws -> Void) throws {
        try walkMembers { member, reader in
            try memberReader(member, reader).stream(key: member.key, maxChunkBytes: maxChunkBytes, body)
        }
    }

    /// Streams a member one index of its first axis at a time: one structure channel of
    /// `masks` or `masks_sdf` per call.
    public func forEachSlab(of key: String,
                            _ body: (_ header: NPYHeader, _ index: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void) throws {
        try streamChunks(of: key, chunkElements: { header in header.shape.dropFirst().reduce(1, *) }) { header, elements, bytes in
            let slabElements = max(1, header.shape.dropFirst().reduce(1, *))
            try body(header, elements.lowerBound / slabElements, bytes)
        }
    }

    private func source(_ member: NPZMember) -> String { "\(path)!\(member.name)" }

    private func memberReader(_ member: NPZMember, _ reader: ZipMemberInflater) -> NPYMemberReader {
        NPYMemberReader(reader: reader, name: member.name, source: source(member), inflatedSize: member.inflatedSize,
                        maximumArrayBytes: maximumArrayBytes)
    }
}

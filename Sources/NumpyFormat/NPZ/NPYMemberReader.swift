/// Decodes the `.npy` member a `MemberByteReader` is positioned at: its preamble, then its data
/// whole, in chunks, or as a pickle. Shared by `.npz` files read from disk (sizes known from the
/// central directory) and `.npz` files streamed out of a delivery archive (sizes from the local
/// header when it has them, else checked at the member's end).
struct NPYMemberReader {
    let reader: any MemberByteReader
    /// The member's name in the `.npz`, e.g. `dose.npy`.
    let name: String
    /// `FILE!member`, for error messages.
    let source: String
    /// Inflated member size when known before reading.
    let inflatedSize: Int?
    let maximumArrayBytes: Int

    /// Reads and validates the `.npy` preamble, checking the declared size against the member's
    /// inflated size (when known) and the ceiling before any data buffer exists.
    func readHeader() throws -> NPYHeader.MemberKind {
        var prefix = [UInt8](repeating: 0, count: min(inflatedSize ?? Int.max, NPYHeader.minimumPreambleLength))
        let got = try prefix.withUnsafeMutableBytes { try reader.read(into: $0, member: name) }
        prefix.removeLast(prefix.count - got)
        let preambleLength = try NPYHeader.preambleLength(of: prefix, source: source)
        let limit = min(inflatedSize ?? Int.max, NPZArchive.maximumPreambleBytes)
        guard preambleLength <= limit else {
            throw NPYError.notNPY(source: source, reason: "header length \(preambleLength) exceeds the member's size or the \(NPZArchive.maximumPreambleBytes)-byte limit")
        }
        var rest = [UInt8](repeating: 0, count: preambleLength - prefix.count)
        let restGot = try rest.withUnsafeMutableBytes { try reader.read(into: $0, member: name) }
        guard restGot == rest.count else {
            throw NPYError.truncated(source: source, expectedBytes: preambleLength, foundBytes: prefix.count + restGot)
        }
        let kind = try NPYHeader.parseMember(prefix + rest, source: source)
        guard case let .numeric(header) = kind else { return kind }
        if header.dataByteCount > maximumArrayBytes {
            throw NPYError.exceedsCeiling(source: source, declaredBytes: header.dataByteCount, ceilingBytes: maximumArrayBytes)
        }
        if let inflatedSize, header.dataByteCount != inflatedSize - preambleLength {
            throw NPYError.sizeMismatch(source: source, expectedBytes: header.dataByteCount, foundBytes: inflatedSize - preambleLength)
        }
        return kind
    }

    /// The whole data of a numeric member whose header has just been read.
    func readData(header: NPYHeader) throws -> NPYArray {
        let storage = try ByteStorage(count: header.dataByteCount) { buffer in
            let got = try reader.read(into: buffer, member: name)
            guard got == buffer.count else {
                throw NPYError.truncated(source: source, expectedBytes: buffer.count, foundBytes: got)
            }
        }
        try reader.finishMember(name)
        return NPYArray(header: header, source: source, storage: storage)
    }

    /// The pickle bytes of an object member whose preamble (`dataOffset` bytes) has been read.
    func readPickle(shape: [Int], fortranOrder: Bool, dataOffset: Int) throws -> NPYPickledObject {
        let ceiling = NPZArchive.maximumPickleBytes
        let length = inflatedSize.map { $0 - dataOffset }
        if let length, length > ceiling {
            throw NPYError.exceedsCeiling(source: source, declaredBytes: length, ceilingBytes: ceiling)
        }
        // Unknown length: read up to one byte past the ceiling to tell "fits" from "too large".
        var pickle = [UInt8](repeating: 0, count: length ?? (ceiling + 1))
        let got = try pickle.withUnsafeMutableBytes { try reader.read(into: $0, member: name) }
        if let length {
            guard got == length else { throw NPYError.truncated(source: source, expectedBytes: length, foundBytes: got) }
        } else {
            guard got <= ceiling else { throw NPYError.exceedsCeiling(source: source, declaredBytes: got, ceilingBytes: ceiling) }
            pickle.removeLast(pickle.count - got)
        }
        try reader.finishMember(name)
        return NPYPickledObject(source: source, shape: shape, fortranOrder: fortranOrder, pickle: pickle)
    }

    /// Reads the whole member, numeric or pickled.
    func readContent() throws -> NPZContent {
        switch try readHeader() {
        case let .numeric(header):
            return .array(try readData(header: header))
        case let .pickledObject(shape, fortranOrder, dataOffset):
            return .pickledObject(try readPickle(shape: shape, fortranOrder: fortranOrder, dataOffset: dataOffset))
        }
    }

    /// Streams the data of a numeric member whose header has just been read, as canonical
    /// chunks of at most `chunk` elements.
    func streamData(header: NPYHeader, chunkElements chunk: Int,
                    _ body: (_ elements: Range<Int>, _ bytes: UnsafeRawBufferPointer) throws -> Void) throws {
        let itemSize = header.dtype.itemSize
        if header.needsReordering {
            // A Fortran-ordered member's first C-order chunk depends on its last stored bytes.
            let array = try readData(header: header)
            var start = 0
            try array.forEachCanonicalChunk(maxChunkBytes: chunk * itemSize) { bytes in
                let count = bytes.count / itemSize
                try body(start..<(start + count), bytes)
                start += count
            }
            return
        }
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunk, max(header.elementCount, 1)) * itemSize, alignment: 64)
        defer { scratch.deallocate() }
        var start = 0
        while start < header.elementCount {
            let count = min(chunk, header.elementCount - start)
            let target = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(count * itemSize)])
            let got = try reader.read(into: target, member: name)
            guard got == target.count else {
                throw NPYError.truncated(source: source, expectedBytes: header.dataByteCount, foundBytes: start * itemSize + got)
            }
            if header.dtype.needsByteSwap, let base = target.baseAddress {
                CanonicalLayout.swapInPlace(base, count: count, itemSize: itemSize)
            }
            try body(start..<(start + count), UnsafeRawBufferPointer(target))
            start += count
        }
        try reader.finishMember(name)
    }

    /// Streams the whole member as `NPZStreamEvent`s.
    func stream(key: String, maxChunkBytes: Int, _ body: (NPZStreamEvent) throws -> Void) throws {
        switch try readHeader() {
        case let .numeric(header):
            try body(.arrayStart(key, header))
            let chunk = max(1, maxChunkBytes / header.dtype.itemSize)
            try streamData(header: header, chunkElements: chunk) { elements, bytes in
                try body(.arrayChunk(key, header, elements, bytes))
            }
            try body(.arrayEnd(key, header))
        case let .pickledObject(shape, fortranOrder, dataOffset):
            try body(.pickledObject(key, try readPickle(shape: shape, fortranOrder: fortranOrder, dataOffset: dataOffset)))
        }
    }
}

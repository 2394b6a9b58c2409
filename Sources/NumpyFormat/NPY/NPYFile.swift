import Support

/// Standalone `.npy` files: read any supported layout, write what `numpy.save` writes.
public enum NPYFile {
    public static func read(path: String, maximumArrayBytes: Int = NPZArchive.defaultMaximumArrayBytes) throws -> NPYArray {
        let file = try RandomAccessFile(path: path)
        let prefix = try file.read(at: 0, count: min(file.size, NPYHeader.minimumPreambleLength))
        let preambleLength = try NPYHeader.preambleLength(of: prefix, source: path)
        guard preambleLength <= min(file.size, NPZArchive.maximumPreambleBytes) else {
            throw NPYError.notNPY(source: path, reason: "header length \(preambleLength) exceeds the file's \(file.size) bytes")
        }
        let header = try NPYHeader.parse(try file.read(at: 0, count: preambleLength), source: path)
        if header.dataByteCount > maximumArrayBytes {
            throw NPYError.exceedsCeiling(source: path, declaredBytes: header.dataByteCount, ceilingBytes: maximumArrayBytes)
        }
        guard header.dataByteCount == file.size - preambleLength else {
            throw NPYError.sizeMismatch(source: path, expectedBytes: header.dataByteCount, foundBytes: file.size - preambleLength)
        }
        let data = try file.read(at: preambleLength, count: header.dataByteCount)
        let storage = ByteStorage(count: data.count) { buffer in data.withUnsafeBytes { buffer.copyMemory(from: $0) } }
        return NPYArray(header: header, source: path, storage: storage)
    }

    /// The bytes `numpy.save` writes for this array: format 1.0 (2.0 only for headers too long for
    /// it), little-endian, C order.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        var bytes = canonicalHeader(of: array).encodedPreamble()
        bytes.reserveCapacity(bytes.count + array.header.dataByteCount)
        array.forEachCanonicalChunk { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Writes `encode(array)` to `path` atomically.
    public static func write(_ array: NPYArray, to path: String) throws {
        try AtomicFile.write(encode(array), to: path)
    }

    static func canonicalHeader(of array: NPYArray) -> NPYHeader {
        NPYHeader(dtype: NPYDType(kind: array.dtype.kind, byteOrder: .little), shape: array.shape)
    }
}

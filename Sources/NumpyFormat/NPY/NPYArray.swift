/// One n-dimensional numpy array: its header and its data bytes exactly as stored.
///
/// Callers never see the stored layout: every accessor presents elements in logical C order,
/// little-endian, converting big-endian or Fortran-ordered data on the way out.
public struct NPYArray: Sendable {
    public let header: NPYHeader
    /// Where the array came from (`FILE` or `FILE!member`), for error messages.
    public let source: String
    let storage: ByteStorage

    init(header: NPYHeader, source: String, storage: ByteStorage) {
        self.header = header
        self.source = source
        self.storage = storage
    }

    /// An array of `elements` in C order with the given shape, stored little-endian.
    public init<Element: NPYElement>(shape: [Int], elements: [Element], source: String = "<memory>") throws {
        let expected = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), expected == elements.count else {
            throw NPYError.invalidShape(source: source, shape: "\(shape)",
                                        reason: "holds \(expected) elements but \(elements.count) were given")
        }
        try self.init(shape: shape, source: source) { (buffer: UnsafeMutableBufferPointer<Element>) in
            _ = buffer.initialize(from: elements)
        }
    }

    /// An array of the given shape whose C-order elements `fill` writes in place, stored
    /// little-endian: no intermediate copy of a large volume.
    public init<Element: NPYElement>(shape: [Int], source: String = "<memory>",
                                     filling fill: (UnsafeMutableBufferPointer<Element>) throws -> Void) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw NPYError.invalidShape(source: source, shape: "\(shape)", reason: "dimensions must not be negative")
        }
        let count = shape.reduce(1, *)
        let dtype = NPYDType(kind: Element.npyKind, byteOrder: .little)
        header = NPYHeader(dtype: dtype, shape: shape)
        self.source = source
        storage = try ByteStorage(count: count * dtype.itemSize) { buffer in
            try fill(buffer.bindMemory(to: Element.self))
        }
    }

    public var dtype: NPYDType { header.dtype }
    public var shape: [Int] { header.shape }
    public var elementCount: Int { header.elementCount }

    /// The data bytes as stored in the file (file byte order and memory order).
    public func withStoredBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBytes(body)
    }

    /// Presents the canonical bytes (logical C order, little-endian, own dtype) in chunks of at
    /// most `maxChunkBytes`, in order. Already-canonical data is passed through without copying;
    /// otherwise one chunk-sized scratch buffer is reused.
    public func forEachCanonicalChunk(maxChunkBytes: Int = 4 << 20,
                                      _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let itemSize = dtype.itemSize
        let elementsPerChunk = max(1, maxChunkBytes / itemSize)
        try storage.withUnsafeBytes { stored in
            if header.isCanonicalLayout {
                var start = 0
                while start < stored.count {
                    let end = min(stored.count, start + elementsPerChunk * itemSize)
                    try body(UnsafeRawBufferPointer(rebasing: stored[start..<end]))
                    start = end
                }
                return
            }
            let scratch = UnsafeMutableRawPointer.allocate(byteCount: elementsPerChunk * itemSize, alignment: 64)
            defer { scratch.deallocate() }
            var start = 0
            while start < elementCount {
                let count = min(elementsPerChunk, elementCount - start)
                CanonicalLayout.copy(from: stored, header: header, start: start, count: count, into: scratch)
                try body(UnsafeRawBufferPointer(start: scratch, count: count * itemSize))
                start += count
            }
        }
    }

    /// All canonical bytes in one array (a copy).
    public func canonicalBytes() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(header.dataByteCount)
        forEachCanonicalChunk { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// The elements in C order converted to `Element`, or an error when numpy's `casting` rule
    /// forbids the conversion (e.g. float32 → UInt8).
    public func elements<Element: NPYElement>(as _: Element.Type, casting: NPYCasting = .safe) throws -> [Element] {
        let count = elementCount
        // Bool is excluded from the raw copy: a byte other than 0 or 1 is not a valid Swift Bool.
        if Element.npyKind == dtype.kind && Element.npyKind != .bool {
            return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
                storage.withUnsafeBytes { stored in
                    if let base = buffer.baseAddress {
                        CanonicalLayout.copy(from: stored, header: header, start: 0, count: count, into: UnsafeMutableRawPointer(base))
                    }
                }
                initialized = count
            }
        }
        guard casting.allows(from: dtype.kind, to: Element.npyKind) else {
            throw NPYError.castNotAllowed(source: source, from: dtype.descr, to: Element.npyKind.rawValue, casting: casting.rawValue)
        }
        var result: [Element] = []
        result.reserveCapacity(count)
        forEachCanonicalChunk { chunk in Self.appendConverted(chunk, kind: dtype.kind, to: &result) }
        return result
    }

    /// Calls `body` with the canonical elements as `Element` without copying when the array is
    /// already stored that way; otherwise converts first (see `elements(as:casting:)`).
    public func withElements<Element: NPYElement, Result>(
        as type: Element.Type, casting: NPYCasting = .safe, _ body: (UnsafeBufferPointer<Element>) throws -> Result
    ) throws -> Result {
        if Element.npyKind == dtype.kind && Element.npyKind != .bool && header.isCanonicalLayout {
            return try storage.withUnsafeBytes { try body($0.bindMemory(to: Element.self)) }
        }
        return try elements(as: type, casting: casting).withUnsafeBufferPointer(body)
    }

    private static func appendConverted<Element: NPYElement>(_ chunk: UnsafeRawBufferPointer, kind: NPYScalarKind,
                                                             to result: inout [Element]) {
        func append<Source: NPYElement>(_: Source.Type) {
            for value in chunk.bindMemory(to: Source.self) { result.append(Element(npyNumber: value.npyNumber)) }
        }
        switch kind {
        case .bool:
            for byte in chunk { result.append(Element(npyNumber: .bool(byte != 0))) }
        case .int8: append(Int8.self)
        case .uint8: append(UInt8.self)
        case .int16: append(Int16.self)
        case .uint16: append(UInt16.self)
        case .int32: append(Int32.self)
        case .uint32: append(UInt32.self)
        case .int64: append(Int64.self)
        case .uint64: append(UInt64.self)
        case .float16: append(Float16.self)
        case .float32: append(Float.self)
        case .float64: append(Double.self)
        }
    }
}

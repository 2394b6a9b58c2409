/// A numpy array found inside metadata — including the 0-d object array that wraps the
/// whole metadata dict (spec "metadata": numpy pickles the array, not the dict).
///
/// Numeric arrays keep their raw bytes, normalised to little-endian (a big-endian array is
/// byte-swapped on the way in and its descr rewritten with '<'), in memory order: Fortran
/// order when `fortranOrder` is true, as numpy pickles them. Object arrays keep their
/// elements in C order, which is the order numpy's pickle lists them whatever the layout.
public struct NumpyArrayValue: Sendable, Hashable {
    /// numpy's `dtype.str` after normalisation: "<f4", "|u1", "|b1", "|O", ...
    public let descr: String
    public let shape: [Int]
    public let fortranOrder: Bool
    /// Raw little-endian element bytes in memory order; empty for object arrays.
    public let data: [UInt8]
    /// The elements of an object (`|O`) array in C order; empty for numeric arrays.
    public let objectElements: [MetadataValue]

    /// A numeric array from raw bytes in the byte order `descr` states.
    public init(descr: String, shape: [Int], fortranOrder: Bool = false, data: [UInt8]) throws(PickleError) {
        guard let dtype = PickledDType(descr: descr), dtype.kind != .object else {
            throw .unsupportedDType(descr: descr)
        }
        try self.init(dtype: dtype, shape: shape, fortranOrder: fortranOrder, data: data)
    }

    init(dtype: PickledDType, shape: [Int], fortranOrder: Bool, data: [UInt8]) throws(PickleError) {
        guard dtype.itemSize > 0 else { throw .unsupportedDType(descr: dtype.descr) }
        let count = try Self.elementCount(of: shape)
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, expected == data.count else {
            throw .invalidValue(reason: "a \(dtype.descr) array of shape \(shape) needs \(overflow ? "more than Int.max" : String(expected)) bytes, found \(data.count)")
        }
        let stored = dtype.littleEndian
        self.descr = stored.descr
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.data = dtype.littleEndianData(data)
        self.objectElements = []
    }

    /// An object array; `objectElements` are in C order.
    public init(objectElements: [MetadataValue], shape: [Int], fortranOrder: Bool = false) throws(PickleError) {
        let count = try Self.elementCount(of: shape)
        guard count == objectElements.count else {
            throw .invalidValue(reason: "an object array of shape \(shape) holds \(count) elements, found \(objectElements.count)")
        }
        self.descr = "|O"
        self.shape = shape
        self.fortranOrder = fortranOrder
        self.data = []
        self.objectElements = objectElements
    }

    /// The 0-d object array numpy stores for the metadata member.
    public static func objectScalar(_ element: MetadataValue) -> NumpyArrayValue {
        NumpyArrayValue(trustedObjectScalar: element)
    }

    private init(trustedObjectScalar element: MetadataValue) {
        descr = "|O"
        shape = []
        fortranOrder = false
        data = []
        objectElements = [element]
    }

    public var isObjectArray: Bool { descr == "|O" }

    /// Product of `shape`; the initialisers guarantee it does not overflow.
    public var elementCount: Int {
        shape.reduce(1) { $0 &* $1 }
    }

    var dtype: PickledDType? { PickledDType(descr: descr) }

    /// Every element in C (row-major) order — the order of numpy's `tolist()`. Numeric
    /// elements become `.bool`, `.int`/`.bigInt` or `.float`.
    public func elementsInCOrder() -> [MetadataValue] {
        if isObjectArray { return objectElements }
        guard let dtype else { return [] }
        let count = elementCount
        var values: [MetadataValue] = []
        values.reserveCapacity(count)
        for memoryIndex in memoryIndicesInCOrder() {
            let start = memoryIndex * dtype.itemSize
            values.append(dtype.decodeElement(data[start..<start + dtype.itemSize]) ?? .none)
        }
        return values
    }

    /// For each element in C order, its position in `data` (in elements). For C order
    /// that is the identity; for Fortran order the first axis varies fastest in memory.
    private func memoryIndicesInCOrder() -> [Int] {
        let count = elementCount
        guard fortranOrder, shape.count > 1 else { return Array(0..<count) }
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        // Prefix products of the shape, which the initialisers checked for overflow.
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] &* shape[axis - 1] }
        var indices: [Int] = []
        indices.reserveCapacity(count)
        var position = [Int](repeating: 0, count: shape.count)
        for _ in 0..<count {
            var offset = 0
            for axis in 0..<shape.count { offset += position[axis] * fortranStrides[axis] }
            indices.append(offset)
            // Advance the multi-index in C order: last axis fastest.
            var axis = shape.count - 1
            while axis >= 0 {
                position[axis] += 1
                if position[axis] < shape[axis] { break }
                position[axis] = 0
                axis -= 1
            }
        }
        return indices
    }

    static func elementCount(of shape: [Int]) throws(PickleError) -> Int {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { throw .invalidValue(reason: "array shape \(shape) has a negative dimension") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalidValue(reason: "array shape \(shape) has more elements than Int.max") }
            count = product
        }
        return count
    }
}

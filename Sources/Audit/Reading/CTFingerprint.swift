/// A compact summary of a CT: the mean value in each block of a fixed 8×8×8 partition of the
/// grid. Two CTs of the same patient (re-planned, re-exported, re-noised) agree block for block
/// to within a few HU; two patients do not. Used to find near-duplicate cases.
public struct CTFingerprint: Sendable, Hashable, Codable {
    public static let blocksPerAxis = 8
    /// The CT's (Y, X, Z) shape: fingerprints of different grids are never compared.
    public let shape: [Int]
    /// Block means in CT units (`HU / 4000 + 0.5`), blocks in C order.
    public let blockMeans: [Float]

    /// Mean absolute difference of the block means, in HU; nil when the grids differ.
    public func distanceHU(to other: CTFingerprint) -> Double? {
        guard shape == other.shape, blockMeans.count == other.blockMeans.count, !blockMeans.isEmpty else { return nil }
        var total = 0.0
        for (a, b) in zip(blockMeans, other.blockMeans) { total += abs(Double(a) - Double(b)) }
        return total / Double(blockMeans.count) * 4000
    }
}

/// Accumulates block sums as the CT's canonical elements stream by.
struct CTFingerprintBuilder {
    let shape: [Int]
    private var sums: [Double]
    private var counts: [Int]
    /// Block index along each axis for every coordinate.
    private let rowBlock: [Int], columnBlock: [Int], sliceBlock: [Int]

    init?(shape: [Int]) {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else { return nil }
        self.shape = shape
        let blocks = CTFingerprint.blocksPerAxis
        func blockOf(_ length: Int) -> [Int] { (0..<length).map { $0 * blocks / length } }
        rowBlock = blockOf(shape[0])
        columnBlock = blockOf(shape[1])
        sliceBlock = blockOf(shape[2])
        sums = [Double](repeating: 0, count: blocks * blocks * blocks)
        counts = [Int](repeating: 0, count: sums.count)
    }

    /// Adds float32 elements starting at flat index `start`; runs along the slice axis share a
    /// block row, so each run is summed in a tight loop.
    mutating func add(_ values: UnsafeBufferPointer<Float>, start: Int) {
        let slices = shape[2], columns = shape[1]
        let blocks = CTFingerprint.blocksPerAxis
        var offset = 0
        while offset < values.count {
            let flat = start + offset
            let slice = flat % slices
            let column = (flat / slices) % columns
            let row = flat / (slices * columns)
            guard row < shape[0] else { return }
            let base = (rowBlock[row] * blocks + columnBlock[column]) * blocks
            let runEnd = min(values.count, offset + (slices - slice))
            var index = offset
            while index < runEnd {
                let block = sliceBlock[slice + index - offset]
                var sum = 0.0, n = 0
                while index < runEnd, sliceBlock[slice + index - offset] == block {
                    let value = values[index]
                    if value.isFinite { sum += Double(value); n += 1 }
                    index += 1
                }
                sums[base + block] += sum
                counts[base + block] += n
            }
            offset = runEnd
        }
    }

    func finish() -> CTFingerprint {
        CTFingerprint(shape: shape, blockMeans: zip(sums, counts).map { sum, count in count > 0 ? Float(sum / Double(count)) : 0 })
    }
}

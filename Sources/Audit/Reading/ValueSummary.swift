import NumpyFormat

/// What one pass over an array's values measures, for the checks that look at values rather
/// than layout: non-finite floats and where the first one sits, the finite range, and how many
/// values are neither 0 nor 1 (which decides whether a mask converts losslessly to uint8).
public struct ValueSummary: Sendable, Hashable, Codable {
    public var count = 0
    public var nonFiniteCount = 0
    /// Flat C-order index of the first NaN or infinity.
    public var firstNonFiniteIndex: Int?
    public var minimum: Double?
    public var maximum: Double?
    public var nonBinaryCount = 0

    public init() {}

    /// Adds canonical elements `[start, start + bytes.count / itemSize)` of an array of `kind`.
    mutating func add(_ bytes: UnsafeRawBufferPointer, start: Int, kind: NPYScalarKind) {
        switch kind {
        case .float32: addFloat32(bytes.bindMemory(to: Float.self), start: start)
        case .float64: addFloats(bytes.bindMemory(to: Double.self), start: start)
        case .float16: addFloats(bytes.bindMemory(to: Float16.self), start: start)
        case .bool, .uint8: addBytes(bytes)
        case .int8: addIntegers(bytes.bindMemory(to: Int8.self))
        case .int16: addIntegers(bytes.bindMemory(to: Int16.self))
        case .uint16: addIntegers(bytes.bindMemory(to: UInt16.self))
        case .int32: addIntegers(bytes.bindMemory(to: Int32.self))
        case .uint32: addIntegers(bytes.bindMemory(to: UInt32.self))
        case .int64: addIntegers(bytes.bindMemory(to: Int64.self))
        case .uint64: addIntegers(bytes.bindMemory(to: UInt64.self))
        }
    }

    /// One plain loop per chunk with local accumulators: the compiler vectorises the min/max and
    /// the comparisons, which keeps this pass well below the inflate cost.
    private mutating func addFloats<F: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<F>, start: Int) {
        guard !values.isEmpty else { return }
        var low = F.infinity, high = -F.infinity
        var nonFinite = 0, nonBinary = 0
        for value in values {
            if value.isFinite {
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            } else {
                nonFinite += 1
            }
            nonBinary += (value == 0 || value == 1) ? 0 : 1
        }
        if nonFinite > 0, firstNonFiniteIndex == nil, let offset = values.firstIndex(where: { !$0.isFinite }) {
            firstNonFiniteIndex = start + offset
        }
        count += values.count
        nonFiniteCount += nonFinite
        nonBinaryCount += nonBinary
        if low <= high { merge(low: Double(low), high: Double(high)) }
    }

    /// `addFloats` for float32, written out: nearly every voxel of a case is float32, and the
    /// compiler will not vectorise float min/max reductions (NaN rules). So the loop takes eight
    /// lanes at a time with explicit SIMD, with min and max as `v < low ? v : low` (one SSE
    /// instruction each) — exact while every value is finite. Non-finite values are counted from
    /// the bit patterns (magnitude bits above the largest finite float), and a chunk holding one
    /// is measured again by `addFloats`, which handles NaN and infinity by the rules.
    private mutating func addFloat32(_ values: UnsafeBufferPointer<Float>, start: Int) {
        guard let base = values.baseAddress, !values.isEmpty else { return }
        typealias Lanes = SIMD8<Float>
        typealias Bits = SIMD8<Int32>
        // A lane mask reinterpreted as integers is −1 where true, so subtracting it counts.
        let raw = UnsafeRawPointer(base)
        let vectors = values.count / Lanes.scalarCount
        var lowLanes = Lanes(repeating: .greatestFiniteMagnitude), highLanes = Lanes(repeating: -.greatestFiniteMagnitude)
        var nonFiniteLanes = Bits(repeating: 0), nonBinaryLanes = Bits(repeating: 0)
        let magnitudeBits = Bits(repeating: 0x7FFF_FFFF), largestFiniteBits = Bits(repeating: 0x7F7F_FFFF)
        let zero = Lanes(repeating: 0), one = Lanes(repeating: 1)
        for vector in 0..<vectors {
            let lanes = raw.loadUnaligned(fromByteOffset: vector * 32, as: Lanes.self)
            lowLanes.replace(with: lanes, where: lanes .< lowLanes)
            highLanes.replace(with: lanes, where: lanes .> highLanes)
            let magnitude = unsafeBitCast(lanes, to: Bits.self) & magnitudeBits
            nonFiniteLanes &-= unsafeBitCast(magnitude .> largestFiniteBits, to: Bits.self)
            nonBinaryLanes &-= unsafeBitCast((lanes .!= zero) .& (lanes .!= one), to: Bits.self)
        }
        var low = lowLanes.min(), high = highLanes.max()
        var nonFinite = Int(nonFiniteLanes.wrappedSum()), nonBinary = Int(nonBinaryLanes.wrappedSum())
        for value in values[(vectors * Lanes.scalarCount)...] {
            low = value < low ? value : low
            high = value > high ? value : high
            nonFinite += value.isFinite ? 0 : 1
            nonBinary += value == 0 || value == 1 ? 0 : 1
        }
        if nonFinite > 0 {
            addFloats(values, start: start)
            return
        }
        count += values.count
        nonBinaryCount += nonBinary
        merge(low: Double(low), high: Double(high))
    }

    private mutating func addBytes(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        var low = UInt8.max, high = UInt8.min, nonBinary = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            low = byte < low ? byte : low
            high = byte > high ? byte : high
            nonBinary &+= byte > 1 ? 1 : 0
        }
        count += bytes.count
        nonBinaryCount += nonBinary
        merge(low: Double(low), high: Double(high))
    }

    private mutating func addIntegers<I: FixedWidthInteger>(_ values: UnsafeBufferPointer<I>) {
        guard !values.isEmpty else { return }
        var low = I.max, high = I.min, nonBinary = 0
        for value in values {
            low = Swift.min(low, value)
            high = Swift.max(high, value)
            nonBinary += (value == 0 || value == 1) ? 0 : 1
        }
        count += values.count
        nonBinaryCount += nonBinary
        merge(low: Double(low), high: Double(high))
    }

    private mutating func merge(low: Double, high: Double) {
        minimum = Swift.min(minimum ?? low, low)
        maximum = Swift.max(maximum ?? high, high)
    }
}

import DoseCase
import NumpyFormat

/// The volumes the clinical checks need together, kept while a case is read: CT and dose as
/// float32, the masks as 0/1 bytes. `masks_sdf` is never kept: it is summarised channel by
/// channel as it streams (against the masks when they came first, as the pipeline writes them).
struct RetainedVolumes {
    var ct: [Float]?
    var dose: [Float]?
    var masks: [UInt8]?
    var constraints: [Float]?
    var sdf: [SDFChannelSummary] = []
    /// `masks_sdf` channels kept whole, by index, for the audit evidence's pictures (the checks
    /// themselves keep none: a full case's stack is ~0.5 GB).
    var keptSDFChannels: Set<Int> = []
    private(set) var keptSDF: [Int: [Float]] = [:]
    /// `sdf < 0` per channel, kept only when `masks_sdf` streams before `masks`.
    private var pendingSDFInside: [UInt8]?

    private var building: (key: String, floats: [Float], bytes: [UInt8])?

    /// Starts keeping `key` when a check needs it and its layout is one the checks can read.
    mutating func start(_ key: String, header: NPYHeader) {
        building = nil
        switch (key, header.shape.count) {
        case ("ct", 3), ("dose", 3), ("constraints", 1):
            building = (key, HugePages.reservedArray(of: Float.self, capacity: header.elementCount), [])
        case ("masks", 4):
            building = (key, [], HugePages.reservedArray(of: UInt8.self, capacity: header.elementCount))
        case ("masks_sdf", 4):
            let channels = header.shape[0]
            sdf = (0..<channels).map { _ in SDFChannelSummary() }
            let perChannel = channels > 0 ? header.elementCount / channels : 0
            keptSDF = Dictionary(uniqueKeysWithValues: keptSDFChannels.filter { (0..<channels).contains($0) }.map {
                ($0, HugePages.reservedArray(of: Float.self, capacity: perChannel))
            })
            if masks == nil || masks?.count != header.elementCount {
                pendingSDFInside = [UInt8](repeating: 0, count: header.elementCount)
            }
        default:
            break
        }
    }

    /// A member that is not kept (on another grid than ct's): nothing is allocated for it.
    mutating func skip() {
        building = nil
    }

    mutating func add(_ key: String, header: NPYHeader, elements: Range<Int>, bytes: UnsafeRawBufferPointer) {
        if key == "masks_sdf", header.shape.count == 4, header.dtype.kind.isFloatingPoint {
            summariseSDF(header: header, elements: elements, bytes: bytes)
            return
        }
        guard var current = building, current.key == key else { return }
        // Take the arrays out while appending, so they stay uniquely referenced (no copy).
        building = nil
        switch key {
        case "masks":
            ValueConversion.appendNonZero(bytes, kind: header.dtype.kind, to: &current.bytes)
        default:
            ValueConversion.appendFloats(bytes, kind: header.dtype.kind, to: &current.floats)
        }
        building = current
    }

    mutating func end(_ key: String) {
        guard let done = building, done.key == key else { return }
        switch key {
        case "ct": ct = done.floats
        case "dose": dose = done.floats
        case "constraints": constraints = done.floats
        case "masks": masks = done.bytes
        default: break
        }
        building = nil
    }

    /// Compares the kept `sdf < 0` maps with the masks once both are known.
    mutating func finish() {
        guard let pending = pendingSDFInside, let masks, masks.count == pending.count, !sdf.isEmpty else { return }
        let perChannel = masks.count / sdf.count
        for channel in sdf.indices {
            var disagreements = 0
            for index in (channel * perChannel)..<((channel + 1) * perChannel) where (pending[index] != 0) != (masks[index] != 0) {
                disagreements += 1
            }
            sdf[channel].disagreements = disagreements
        }
        pendingSDFInside = nil
    }

    private mutating func summariseSDF(header: NPYHeader, elements: Range<Int>, bytes: UnsafeRawBufferPointer) {
        let channels = header.shape[0]
        guard channels == sdf.count, channels > 0 else { return }
        let perChannel = header.elementCount / channels
        guard perChannel > 0 else { return }
        // float32 (the spec's dtype) is read in place; other float types are converted first.
        var converted = [Float]()
        if header.dtype.kind != .float32 { ValueConversion.appendFloats(bytes, kind: header.dtype.kind, to: &converted) }
        let compareNow = pendingSDFInside == nil ? masks : nil
        var element = elements.lowerBound
        while element < elements.upperBound {
            let channel = element / perChannel
            let end = min(elements.upperBound, (channel + 1) * perChannel)
            let start = element - elements.lowerBound
            Self.withFloats(bytes, converted: converted, kind: header.dtype.kind) { buffer in
                let run = UnsafeBufferPointer(rebasing: buffer[start..<(end - elements.lowerBound)])
                if let compareNow {
                    sdf[channel].add(run, comparedWith: compareNow, from: element)
                } else {
                    sdf[channel].add(run, comparedWith: nil, from: element)
                    for offset in 0..<run.count where run[offset] < 0 { pendingSDFInside?[element + offset] = 1 }
                }
                keptSDF[channel]?.append(contentsOf: run)
            }
            element = end
        }
    }
}

extension RetainedVolumes {
    static func withFloats(_ bytes: UnsafeRawBufferPointer, converted: [Float], kind: NPYScalarKind,
                           _ body: (UnsafeBufferPointer<Float>) -> Void) {
        if kind == .float32 { body(bytes.bindMemory(to: Float.self)) } else { converted.withUnsafeBufferPointer(body) }
    }
}

/// One `masks_sdf` channel, summarised: how many voxels are inside (`sdf < 0`), whether it is
/// one constant (an absent structure's convention), and how many voxels disagree with the mask.
/// (The array's range comes from its `ValueSummary`.)
public struct SDFChannelSummary: Sendable, Hashable {
    public var count = 0
    public var insideCount = 0
    public var disagreements: Int?
    private var firstValue: Float?
    private var allEqual = true

    /// The single value every voxel holds, when they all hold the same one.
    public var constantValue: Float? { allEqual ? firstValue : nil }

    mutating func add(_ values: UnsafeBufferPointer<Float>, comparedWith masks: [UInt8]?, from start: Int) {
        guard let first = values.first else { return }
        if firstValue == nil { firstValue = first }
        let reference = firstValue ?? first
        var inside = 0, differing = 0, notFirst = 0
        // Eight voxels at a time with explicit SIMD (the auto-vectoriser leaves it scalar): a lane
        // mask reinterpreted as integers is −1 where true, so subtracting it counts. This runs for
        // every SDF voxel of every case.
        typealias Lanes = SIMD8<Float>
        typealias Counts = SIMD8<Int32>
        let vectors = values.count / Lanes.scalarCount
        var insideLanes = Counts(repeating: 0), notFirstLanes = Counts(repeating: 0), differingLanes = Counts(repeating: 0)
        let zero = Lanes(repeating: 0), firstLanes = Lanes(repeating: reference)
        // One pass over the chunk; the mask comparison only when the masks are already known.
        func countLanes(_ raw: UnsafeRawPointer, _ mine: UnsafeRawBufferPointer?) {
            for vector in 0..<vectors {
                let lanes = raw.loadUnaligned(fromByteOffset: vector * 32, as: Lanes.self)
                let negative = lanes .< zero
                insideLanes &-= unsafeBitCast(negative, to: Counts.self)
                notFirstLanes &-= unsafeBitCast(lanes .!= firstLanes, to: Counts.self)
                if let mine {
                    let inMask = Counts(truncatingIfNeeded: mine.loadUnaligned(fromByteOffset: vector * 8, as: SIMD8<UInt8>.self)) .!= Counts(repeating: 0)
                    differingLanes &-= unsafeBitCast(negative .^ inMask, to: Counts.self)
                }
            }
        }
        if let base = values.baseAddress {
            if let masks {
                masks.withUnsafeBytes { all in countLanes(UnsafeRawPointer(base), UnsafeRawBufferPointer(rebasing: all[start..<(start + values.count)])) }
            } else {
                countLanes(UnsafeRawPointer(base), nil)
            }
        }
        inside = Int(insideLanes.wrappedSum())
        notFirst = Int(notFirstLanes.wrappedSum())
        differing = Int(differingLanes.wrappedSum())
        for index in (vectors * Lanes.scalarCount)..<values.count {
            let value = values[index]
            inside += value < 0 ? 1 : 0
            notFirst += value != reference ? 1 : 0
            if let masks { differing += (value < 0) != (masks[start + index] != 0) ? 1 : 0 }
        }
        if masks != nil { disagreements = (disagreements ?? 0) + differing }
        let sameAsFirst = notFirst == 0
        insideCount += inside
        allEqual = allEqual && sameAsFirst
        count += values.count
    }
}

/// Canonical element bytes → the element types the checks read.
enum ValueConversion {
    static func appendFloats(_ bytes: UnsafeRawBufferPointer, kind: NPYScalarKind, to values: inout [Float]) {
        switch kind {
        case .float32: values.append(contentsOf: bytes.bindMemory(to: Float.self))
        case .float64: values.append(contentsOf: bytes.bindMemory(to: Double.self).lazy.map { Float($0) })
        case .float16: values.append(contentsOf: bytes.bindMemory(to: Float16.self).lazy.map { Float($0) })
        case .bool, .uint8: values.append(contentsOf: bytes.lazy.map { Float($0) })
        case .int8: values.append(contentsOf: bytes.bindMemory(to: Int8.self).lazy.map { Float($0) })
        case .int16: values.append(contentsOf: bytes.bindMemory(to: Int16.self).lazy.map { Float($0) })
        case .uint16: values.append(contentsOf: bytes.bindMemory(to: UInt16.self).lazy.map { Float($0) })
        case .int32: values.append(contentsOf: bytes.bindMemory(to: Int32.self).lazy.map { Float($0) })
        case .uint32: values.append(contentsOf: bytes.bindMemory(to: UInt32.self).lazy.map { Float($0) })
        case .int64: values.append(contentsOf: bytes.bindMemory(to: Int64.self).lazy.map { Float($0) })
        case .uint64: values.append(contentsOf: bytes.bindMemory(to: UInt64.self).lazy.map { Float($0) })
        }
    }

    /// Masks of any dtype as 0/1 bytes (non-zero is inside, as `inspect` counts them).
    static func appendNonZero(_ bytes: UnsafeRawBufferPointer, kind: NPYScalarKind, to values: inout [UInt8]) {
        switch kind {
        case .bool, .uint8, .int8:
            // Copy the bytes whole, then fold any non-zero value to 1 (masks are 0/1 already);
            // `min` rather than a conditional store, so the fold vectorises without branches.
            let start = values.count
            values.append(contentsOf: bytes)
            values.withUnsafeMutableBufferPointer { target in
                for offset in start..<target.count { target[offset] = min(target[offset], 1) }
            }
        default:
            var floats: [Float] = []
            appendFloats(bytes, kind: kind, to: &floats)
            values.append(contentsOf: floats.lazy.map { $0 != 0 ? 1 : 0 })
        }
    }
}

import Support
import NumpyFormat

/// What one streaming pass over a case measures: every array's identity and storage, and voxel
/// counts per mask channel (which decide the implied plan type).
public struct CaseSurvey: Sendable {
    public struct StoredArray: Sendable, Hashable, Codable {
        /// dtype as stored (may be big-endian); identity uses the canonical spelling.
        public let storedDType: String
        public let shape: [Int]
        public let fortranOrder: Bool
        public let compression: String
        public let compressedBytes: Int
        public let inflatedBytes: Int
    }

    public let identity: CaseIdentity
    /// Every member, numeric or pickled, by key.
    public let stored: [String: StoredArray]
    /// Non-zero voxels per `masks` channel; empty when the case has no masks.
    public let channelVoxelCounts: [Int]

    /// The plan type the masks imply (spec, "Plan type"); nil without masks.
    public func impliedPlanType(channels: ChannelCatalog) -> PlanType? {
        PlanType.implied(channelVoxelCounts: channelVoxelCounts, channels: channels)
    }
}

extension DoseCase {
    /// Reads the whole case once, streaming: hashes every array's canonical bytes, hashes the
    /// decoded metadata, and counts mask voxels per channel. Memory stays at one chunk.
    public func survey() throws -> CaseSurvey {
        var arrays: [String: ArrayIdentity] = [:]
        var stored: [String: CaseSurvey.StoredArray] = [:]
        var counts: [Int] = []
        var hasher = StreamingSHA256()
        try archive.stream { event in
            switch event {
            case let .arrayStart(key, header):
                hasher = StreamingSHA256()
                stored[key] = try storedArray(key, dtype: header.dtype.descr, shape: header.shape, fortranOrder: header.fortranOrder)
                if key == "masks", let channels = header.shape.first { counts = [Int](repeating: 0, count: channels) }
            case let .arrayChunk(key, header, elements, bytes):
                hasher.update(bytes)
                if key == "masks" { MaskVoxelCounter.add(bytes, elements: elements, header: header, to: &counts) }
            case let .arrayEnd(key, header):
                arrays[key] = ArrayIdentity(dtype: header.dtype.canonicalDescr, shape: header.shape, sha256: hasher.finalize())
            case let .pickledObject(key, object):
                stored[key] = try storedArray(key, dtype: "|O", shape: object.shape, fortranOrder: object.fortranOrder)
            }
        }
        return CaseSurvey(identity: CaseIdentity(arrays: arrays, metadataSHA256: metadata.map(CaseIdentity.metadataHash)),
                          stored: stored, channelVoxelCounts: counts)
    }

    private func storedArray(_ key: String, dtype: String, shape: [Int], fortranOrder: Bool) throws -> CaseSurvey.StoredArray {
        let member = try archive.member(named: key)
        return CaseSurvey.StoredArray(storedDType: dtype, shape: shape, fortranOrder: fortranOrder,
                               compression: member.isCompressed ? "deflate" : "stored",
                               compressedBytes: member.compressedSize, inflatedBytes: member.inflatedSize)
    }
}

/// Counts non-zero mask voxels per channel from canonical chunks that may span channels.
public enum MaskVoxelCounter {
    public static func add(_ bytes: UnsafeRawBufferPointer, elements: Range<Int>, header: NPYHeader, to counts: inout [Int]) {
        let perChannel = header.shape.dropFirst().reduce(1, *)
        guard perChannel > 0, !counts.isEmpty else { return }
        let itemSize = header.dtype.itemSize
        var element = elements.lowerBound
        while element < elements.upperBound {
            let channel = element / perChannel
            let end = min(elements.upperBound, (channel + 1) * perChannel)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[((element - elements.lowerBound) * itemSize)..<((end - elements.lowerBound) * itemSize)])
            if channel < counts.count { counts[channel] += nonZero(slice, kind: header.dtype.kind) }
            element = end
        }
    }

    /// Sixteen bytes at a time into byte-wide lane counters, widened every 255 vectors before they
    /// can wrap: masks are the largest integer array of a case, and a per-byte `Int` sum stays scalar.
    private static func nonZeroBytes(_ bytes: UnsafeRawBufferPointer) -> Int {
        typealias Lanes = SIMD16<UInt8>
        let vectors = bytes.count / Lanes.scalarCount
        var total = 0
        var vector = 0
        while vector < vectors {
            let blockEnd = min(vectors, vector + 255)
            var counts = Lanes(repeating: 0)
            for index in vector..<blockEnd {
                let lanes = bytes.loadUnaligned(fromByteOffset: index * Lanes.scalarCount, as: Lanes.self)
                counts &-= unsafeBitCast(lanes .!= Lanes(repeating: 0), to: Lanes.self)
            }
            total += Int(SIMD16<UInt16>(truncatingIfNeeded: counts).wrappedSum())
            vector = blockEnd
        }
        for index in (vectors * Lanes.scalarCount)..<bytes.count where bytes[index] != 0 { total += 1 }
        return total
    }

    private static func nonZero(_ bytes: UnsafeRawBufferPointer, kind: NPYScalarKind) -> Int {
        func count<T: NPYElement & Equatable & ExpressibleByIntegerLiteral>(_: T.Type) -> Int {
            bytes.bindMemory(to: T.self).reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        }
        switch kind {
        case .bool, .int8, .uint8: return nonZeroBytes(bytes)
        case .int16, .uint16: return count(UInt16.self)
        case .int32, .uint32: return count(UInt32.self)
        case .int64, .uint64: return count(UInt64.self)
        case .float16: return count(Float16.self)
        case .float32: return count(Float.self)
        case .float64: return count(Double.self)
        }
    }
}

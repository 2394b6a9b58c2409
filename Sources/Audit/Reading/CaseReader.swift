import Support
import DoseCase
import NumpyFormat

/// Reads a case in one streaming pass and gathers its `CaseFacts`: memory stays at one chunk of
/// one member (plus the CT fingerprint's 512 sums), whatever the case's size.
enum CaseReader {
    /// Chunk size of the streaming pass: large enough that per-chunk overhead vanishes, small
    /// enough to stay in cache-friendly territory.
    static let chunkBytes = 8 << 20

    /// `stream` runs one pass and delivers its events; any error it throws becomes `readFailure`.
    /// Each member's declared size is added up before anything is kept: a case whose members
    /// declare more than `budgetBytes` stops there, as a read failure of that case alone.
    static func read(file: String, limits: PickleLimits = .default, budgetBytes: Int, keepingSignedDistancesOf keptStructures: Set<String> = [],
                     stream: ((NPZStreamEvent) throws -> Void) throws -> Void) -> CaseFacts {
        var facts = CaseFacts(file: file)
        var declaredBytes = 0
        // The grid every volume must share (spec: ct's shape); a member on another grid is
        // summarised as it streams but never kept (`format.shapes` reports it).
        var referenceGrid: [Int]?
        var hasher = StreamingSHA256()
        var values = ValueSummary()
        var fingerprint: CTFingerprintBuilder?
        var retained = RetainedVolumes()
        do {
            try stream { event in
                switch event {
                case let .arrayStart(key, header):
                    declaredBytes += header.dataByteCount
                    guard declaredBytes <= budgetBytes else {
                        throw CaseBudgetExceeded(member: key, declaredBytes: declaredBytes, budgetBytes: budgetBytes)
                    }
                    facts.memberOrder.append(key)
                    hasher = StreamingSHA256()
                    values = ValueSummary()
                    if key == "masks", let channels = header.shape.first, header.shape.count == 4 {
                        facts.channelVoxelCounts = [Int](repeating: 0, count: channels)
                    }
                    fingerprint = key == "ct" && header.dtype.kind == .float32 ? CTFingerprintBuilder(shape: header.shape) : nil
                    if key == "ct", header.shape.count == 3 { referenceGrid = header.shape }
                    if key == "masks_sdf", !keptStructures.isEmpty, let channels = header.shape.first {
                        // The catalog as far as the file has told it: metadata usually streams before `masks_sdf`.
                        let catalog = ChannelCatalog.from(metadata: facts.metadata, channelCount: channels)
                        retained.keptSDFChannels = Set(keptStructures.compactMap { catalog.index(of: $0) })
                    }
                    if let referenceGrid, ["dose", "masks", "masks_sdf"].contains(key), Array(header.shape.suffix(3)) != referenceGrid {
                        retained.skip()
                    } else {
                        retained.start(key, header: header)
                    }
                case let .arrayChunk(key, header, elements, bytes):
                    hasher.update(bytes)
                    // uint8 masks are the spec's dtype: `format.dtypes` needs no value summary of them.
                    if !(key == "masks" && header.dtype.kind == .uint8) {
                        values.add(bytes, start: elements.lowerBound, kind: header.dtype.kind)
                    }
                    if key == "masks", header.shape.count == 4 {
                        MaskVoxelCounter.add(bytes, elements: elements, header: header, to: &facts.channelVoxelCounts)
                    }
                    if fingerprint != nil { fingerprint?.add(bytes.bindMemory(to: Float.self), start: elements.lowerBound) }
                    retained.add(key, header: header, elements: elements, bytes: bytes)
                case let .arrayEnd(key, header):
                    facts.arrays[key] = CaseFacts.ArrayFacts(storedDType: header.dtype, shape: header.shape,
                                                             fortranOrder: header.fortranOrder, sha256: hasher.finalize(), values: values)
                    if key == "ct" { facts.ctFingerprint = fingerprint?.finish() }
                    fingerprint = nil
                    retained.end(key)
                case let .pickledObject(key, object):
                    facts.memberOrder.append(key)
                    facts.pickledMembers[key] = object.shape
                    if key == "metadata" { facts.metadataOutcome = decodeMetadata(object.pickle, limits: limits) }
                }
            }
        } catch {
            facts.readFailure = "\(error)"
        }
        if case .absent = facts.metadataOutcome, let header = facts.arrays["metadata"] {
            facts.metadataOutcome = .notPickled(descr: header.storedDType.descr)
        }
        if facts.readFailure == nil {
            retained.finish()
            facts.adopt(retained)
        }
        return facts
    }

    /// One case where it lives, in the audit's pass: a file, or a member of a delivery archive
    /// (one pass through the archive up to it).
    static func read(_ location: CaseLocation, budgetBytes: Int, keepingSignedDistancesOf keptStructures: Set<String> = []) -> CaseFacts {
        switch location {
        case let .file(path):
            return read(file: path, budgetBytes: budgetBytes, keepingSignedDistancesOf: keptStructures) { body in
                try NPZArchive(path: path).stream(maxChunkBytes: chunkBytes, body)
            }
        case let .archiveMember(archive, member):
            var found: CaseFacts?
            do {
                try DeliveryArchive(path: archive).forEachCase(where: { $0 == member && found == nil }) { streamed in
                    found = read(file: streamed.name, budgetBytes: budgetBytes, keepingSignedDistancesOf: keptStructures) { body in
                        try streamed.stream(maxChunkBytes: chunkBytes, body)
                    }
                }
            } catch {
                if found == nil {
                    var facts = CaseFacts(file: location.name)
                    facts.readFailure = "\(error)"
                    return facts
                }
            }
            guard let found else {
                var facts = CaseFacts(file: location.name)
                facts.readFailure = "not found in its archive"
                return facts
            }
            return found
        }
    }

    /// Never executes anything: the restricted unpickler rebuilds allowed values or refuses.
    private static func decodeMetadata(_ pickle: [UInt8], limits: PickleLimits) -> CaseFacts.MetadataOutcome {
        do {
            return .decoded(try PickleDecoder(limits: limits).metadataDictionary(fromPickle: pickle))
        } catch {
            return .refused(reason: "\(error)")
        }
    }
}

/// A case whose members declare more bytes in all than the audit's per-case budget
/// (`file.readable`'s `caseBudgetGiB`): refused before the member's buffer is allocated.
struct CaseBudgetExceeded: Error, CustomStringConvertible {
    let member: String
    let declaredBytes: Int
    let budgetBytes: Int

    var description: String {
        "the members up to '\(member)' declare \(declaredBytes) bytes, over the per-case budget of \(budgetBytes) bytes (file.readable caseBudgetGiB)"
    }
}

extension CaseFacts {
    /// Reads one case with the audit's own streaming pass, so every fact is the one the checks
    /// evaluated (the audit evidence draws from these). `keepingSignedDistancesOf` keeps those
    /// structures' `masks_sdf` channels whole (`signedDistances`). A case that cannot be read
    /// comes back with `readFailure` set, as in the audit.
    public static func read(_ location: CaseLocation, budgetBytes: Int = FileReadableCheck.caseBudgetBytes(CheckThresholds([:])),
                            keepingSignedDistancesOf structures: Set<String> = []) -> CaseFacts {
        CaseReader.read(location, budgetBytes: budgetBytes, keepingSignedDistancesOf: structures)
    }
}

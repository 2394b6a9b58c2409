import DoseCase
import NumpyFormat

/// Everything one streaming pass learns about a case file: each member's layout, identity hash
/// and value summary, the metadata as decoded (or why it was refused), mask voxel counts and the
/// CT fingerprint. Checks read these facts; none of them reads the file again.
public struct CaseFacts: Sendable {
    public struct ArrayFacts: Sendable {
        /// dtype as stored (any byte order).
        public let storedDType: NPYDType
        public let shape: [Int]
        public let fortranOrder: Bool
        /// SHA-256 of the canonical bytes.
        public let sha256: String
        public let values: ValueSummary

        public var identity: ArrayIdentity { ArrayIdentity(dtype: storedDType.canonicalDescr, shape: shape, sha256: sha256) }
    }

    /// What became of the `metadata` member.
    public enum MetadataOutcome: Sendable {
        case absent
        case decoded(MetadataValue)
        /// The restricted unpickler refused or could not decode it (nothing was executed).
        case refused(reason: String)
        /// A numeric array where a pickled dict belongs.
        case notPickled(descr: String)
    }

    /// The file path, or `ARCHIVE!member`.
    public let file: String
    /// Numeric members by key.
    public internal(set) var arrays: [String: ArrayFacts] = [:]
    /// Object (pickled) members by key, with their shapes.
    public internal(set) var pickledMembers: [String: [Int]] = [:]
    /// Member keys in archive order.
    public internal(set) var memberOrder: [String] = []
    public internal(set) var metadataOutcome: MetadataOutcome = .absent
    /// Non-zero voxels per `masks` channel.
    public internal(set) var channelVoxelCounts: [Int] = []
    public internal(set) var ctFingerprint: CTFingerprint?
    /// Why the file could not be read to its end (archive, member or CRC damage); the other
    /// facts are then incomplete and only `file.readable` reports.
    public internal(set) var readFailure: String?

    init(file: String) { self.file = file }

    public var metadata: MetadataValue? {
        if case let .decoded(value) = metadataOutcome { value } else { nil }
    }

    public var caseId: String { DoseCase.identify(path: file, metadata: metadata).caseId }
    public var formatVersion: FormatVersionEvidence {
        FormatVersionEvidence.determine(metadata: metadata, arrayKeys: Set(memberOrder))
    }
    public var channels: ChannelCatalog {
        ChannelCatalog.from(metadata: metadata, channelCount: arrays["masks"]?.shape.first ?? 0)
    }

    /// The plan type the masks imply (spec, "Plan type"); nil without readable masks.
    public var impliedPlanType: PlanType? { PlanType.implied(channelVoxelCounts: channelVoxelCounts, channels: channels) }

    /// The case's identity (DESIGN.md, "Identity"); nil when the file could not be read whole or
    /// its metadata could not be decoded.
    public var identity: CaseIdentity? {
        guard readFailure == nil else { return nil }
        let metadataHash: String?
        switch metadataOutcome {
        case .absent: metadataHash = nil
        case let .decoded(value): metadataHash = CaseIdentity.metadataHash(value)
        case .refused, .notPickled: return nil
        }
        return CaseIdentity(arrays: arrays.mapValues(\.identity), metadataSHA256: metadataHash)
    }
}

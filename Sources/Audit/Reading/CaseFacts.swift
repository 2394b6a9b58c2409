import DoseCase
import Dosimetry
import NumpyFormat

/// One structure channel as the clinical checks see it. Its mask is a view into the case's
/// mask stack (shared, never copied per channel: a full case's stack is ~0.13 GB).
public struct StructureFacts: Sendable {
    public let index: Int
    public let geometry: StructureGeometry
    /// nil when the case has no readable dose.
    public let dose: StructureDose?
    private let stack: [UInt8]
    private let voxelCount: Int

    init(index: Int, stack: [UInt8], voxelCount: Int, shape: VolumeShape, dose: [Float]?, scaleGy: Double, voxelVolumeCC: Double) {
        self.index = index
        self.stack = stack
        self.voxelCount = voxelCount
        (geometry, self.dose) = stack.withUnsafeBufferPointer { all in
            let mask = UnsafeBufferPointer(rebasing: all[(index * voxelCount)..<((index + 1) * voxelCount)])
            return (StructureGeometry(mask: mask, shape: shape),
                    dose.map { StructureDose(dose: $0, mask: mask, scaleGy: scaleGy, voxelVolumeCC: voxelVolumeCC) })
        }
    }

    public var isEmpty: Bool { geometry.voxels == 0 }

    /// Whether voxel `voxel` (a C-order index into the grid) is inside.
    public func contains(_ voxel: Int) -> Bool { stack[index * voxelCount + voxel] != 0 }

    /// The mask's voxels without copying them.
    public func withMask<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try stack.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[(index * voxelCount)..<((index + 1) * voxelCount)])) }
    }

    /// A copy of the mask, for the operations that build new masks (erosion).
    public var maskCopy: [UInt8] { withMask { Array($0) } }
}

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

    /// The (Y, X, Z) grid of `ct` (else `dose`) when it is three-dimensional.
    public internal(set) var grid: VolumeShape?
    /// CT, dose and masks, kept for the clinical checks when their shapes agree with `grid`.
    public internal(set) var ct: [Float]?
    public internal(set) var dose: [Float]?
    public internal(set) var masks: [UInt8]?
    public internal(set) var constraints: [Float]?
    /// One summary per `masks_sdf` channel.
    public internal(set) var sdfChannels: [SDFChannelSummary] = []
    /// Geometry and dose of every mask channel, by structure name.
    public internal(set) var structures: [String: StructureFacts] = [:]
    /// The `masks_sdf` channels a reader asked to keep (`CaseFacts.read`), by structure name, on
    /// the grid; the audit itself keeps none.
    public internal(set) var signedDistances: [String: [Float]] = [:]

    init(file: String) { self.file = file }

    /// Takes the volumes a pass kept, dropping any whose shape disagrees with the grid (that is
    /// `format.shapes`' finding; the clinical checks then say they could not run).
    mutating func adopt(_ retained: RetainedVolumes) {
        let shape = arrays["ct"]?.shape ?? arrays["dose"]?.shape
        guard let shape, shape.count == 3 else { return }
        let grid = VolumeShape(rows: shape[0], columns: shape[1], slices: shape[2])
        self.grid = grid
        let voxels = grid.voxelCount
        ct = retained.ct?.count == voxels ? retained.ct : nil
        dose = retained.dose?.count == voxels ? retained.dose : nil
        let channelCount = arrays["masks"]?.shape.first ?? 0
        masks = channelCount > 0 && retained.masks?.count == channelCount * voxels ? retained.masks : nil
        sdfChannels = retained.sdf
        constraints = retained.constraints
        // Kept by the index the catalog gave when `masks_sdf` began; kept only if the final
        // catalog (metadata may come later in the file) names the same structure there.
        for (index, values) in retained.keptSDF where values.count == voxels {
            if let channel = channels.channels.first(where: { $0.index == index }) { signedDistances[channel.name] = values }
        }
        guard let masks else { return }
        let spacing = spacing, scaleGy = doseScaleGy
        for channel in channels.channels {
            structures[channel.name] = StructureFacts(index: channel.index, stack: masks, voxelCount: voxels, shape: grid, dose: dose,
                                                      scaleGy: scaleGy, voxelVolumeCC: spacing.voxelVolumeCC)
        }
    }

    public var metadata: MetadataValue? {
        if case let .decoded(value) = metadataOutcome { value } else { nil }
    }

    public var caseId: String { DoseCase.identify(path: file, metadata: metadata).caseId }
    public var formatVersion: FormatVersionEvidence {
        FormatVersionEvidence.determine(metadata: metadata, arrayKeys: Set(memberOrder))
    }
    public var spacing: VoxelSpacing { VoxelSpacing.from(metadata: metadata) }
    public var prescription: Prescription { Prescription.from(metadata: metadata) }
    /// Stored dose × this = physical Gy: the case's own `normalization_dose_gy` (70 when absent).
    public var doseScaleGy: Double { prescription.normalizationDoseGy ?? Prescription.consumerScaleGy }

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

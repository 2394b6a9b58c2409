import NumpyFormat

/// The plan's dose levels, from which secondary PTV masks are non-empty (spec, "Plan type").
public enum PlanType: String, Sendable, Hashable, Codable, CaseIterable {
    case singleRx = "single_rx"
    case sib2Level = "sib_2level"
    case sib3Level = "sib_3level"
    case nodalOnly = "nodal_only"

    /// PTV56 and PTV50.4 → sib_3level; PTV56 only → sib_2level; PTV50.4 only → nodal_only;
    /// neither → single_rx.
    public static func implied(ptv56Present: Bool, ptv50_4Present: Bool) -> PlanType {
        switch (ptv56Present, ptv50_4Present) {
        case (true, true): .sib3Level
        case (true, false): .sib2Level
        case (false, true): .nodalOnly
        case (false, false): .singleRx
        }
    }

    /// The plan type implied by which PTV channels have voxels; nil without mask counts.
    public static func implied(channelVoxelCounts counts: [Int], channels: ChannelCatalog) -> PlanType? {
        guard !counts.isEmpty else { return nil }
        func present(_ name: String) -> Bool {
            guard let index = channels.index(of: name), index < counts.count else { return false }
            return counts[index] > 0
        }
        return implied(ptv56Present: present(StructureChannel.ptv56), ptv50_4Present: present(StructureChannel.ptv50_4))
    }

    /// `metadata.case_type.type` as stored, when it names a known plan type.
    public static func stored(in metadata: MetadataValue?) -> String? {
        metadata?["case_type"]?["type"]?.asString
    }
}

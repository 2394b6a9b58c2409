import DoseCase

/// `sdf.consistency`: `masks_sdf` is the signed distance / 50 mm, negative exactly on the mask;
/// an absent structure is all +1 up to v2.3 and all 0 in v2.4 (spec, "Keys").
public struct SDFConsistencyCheck: CaseCheck {
    public static let id = "sdf.consistency"
    /// Share of a structure's voxels on which `sdf < 0` may disagree with the mask before it is an error.
    public static let disagreementErrorShare = 0.01
    public static let valueRange: ClosedRange<Float> = -1...1

    public let definition = CheckDefinition(
        id: id, purpose: "sdf < 0 reproduces each mask; absent structures follow the version's convention; values in [−1, 1]",
        severityRule: "error when sdf < 0 disagrees with a present structure's mask on more than 1 % of its voxels, an absent structure breaks the convention (+1 up to v2.3, 0 in v2.4) or values leave [−1, 1]; warning for any smaller disagreement",
        arraysRead: ["masks_sdf", "masks"], measures: ["structure", "disagreeingVoxels", "share", "expectedConstant", "found", "minimum", "maximum"],
        thresholds: ["disagreementErrorShare": disagreementErrorShare])

    public init() {}

    /// The value an absent structure's SDF holds in `version`.
    static func absentValue(_ version: FormatVersion) -> Float? {
        switch version {
        case .v2_2, .v2_3: 1
        case .v2_4: 0
        case .v2_0, .unknown: nil
        }
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let catalog = facts.channels
        guard !facts.sdfChannels.isEmpty, facts.sdfChannels.count == catalog.count else { return [] }
        var findings: [AuditFinding] = []
        if let values = facts.arrays["masks_sdf"]?.values, let low = values.minimum, let high = values.maximum,
           low < Double(Self.valueRange.lowerBound) || high > Double(Self.valueRange.upperBound) {
            findings.append(finding(.error, "masks_sdf spans \(text(low, 3))…\(text(high, 3)), outside [−1, 1]",
                                    ["minimum": .number(rounded(low)), "maximum": .number(rounded(high))]))
        }
        for (channel, summary) in zip(catalog.channels, facts.sdfChannels) {
            let voxels = channel.index < facts.channelVoxelCounts.count ? facts.channelVoxelCounts[channel.index] : 0
            if voxels == 0 {
                guard let expected = Self.absentValue(facts.formatVersion.version), summary.constantValue != expected else { continue }
                let found = summary.constantValue.map { "all \(text(Double($0)))" } ?? "varying values (\(summary.insideCount) negative)"
                findings.append(finding(.error, "\(channel.name) is absent; its SDF should be all \(text(Double(expected))) in v\(facts.formatVersion.version.rawValue), found \(found)",
                                        ["structure": .text(channel.name), "expectedConstant": .number(Double(expected)), "found": .text(found)]))
                continue
            }
            guard let disagreeing = summary.disagreements, disagreeing > 0 else { continue }
            let share = Double(disagreeing) / Double(voxels)
            findings.append(finding(share > limits["disagreementErrorShare"] ? .error : .warning,
                                    "\(channel.name): sdf < 0 disagrees with the mask on \(disagreeing) voxels (\(text(share * 100, 2)) % of the structure)",
                                    ["structure": .text(channel.name), "disagreeingVoxels": .integer(disagreeing), "share": .number(rounded(share))]))
        }
        return findings
    }
}

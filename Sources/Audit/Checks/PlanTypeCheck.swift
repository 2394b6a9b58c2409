import DoseCase
import Dosimetry

/// `plan.type`: the plan type the masks imply agrees with `metadata.case_type.type`, with
/// `constraints[1…2]` and with the dose itself (spec, "Plan type"). 63 of 74 cases of the earlier
/// study were mislabelled single-Rx.
public struct PlanTypeCheck: CaseCheck {
    public static let id = "plan.type"
    /// The secondary levels as shares of 70 Gy, and the range the median dose of each PTV's own
    /// region (minus the higher PTVs) must fall in.
    public static let ptv56DoseRange: ClosedRange<Double> = 0.74...0.88
    public static let ptv50_4DoseRange: ClosedRange<Double> = 0.66...0.79

    public let definition = CheckDefinition(
        id: id, purpose: "plan type from the masks agrees with metadata, constraints and the dose",
        severityRule: "error on any disagreement; the message names the sources that disagree",
        arraysRead: ["masks", "dose", "constraints"], measures: ["masks", "metadata", "constraints", "ptv56RegionMedian", "ptv50_4RegionMedian"],
        thresholds: ["ptv56DoseLow": ptv56DoseRange.lowerBound, "ptv56DoseHigh": ptv56DoseRange.upperBound,
                     "ptv50_4DoseLow": ptv50_4DoseRange.lowerBound, "ptv50_4DoseHigh": ptv50_4DoseRange.upperBound])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let implied = facts.impliedPlanType else { return [] }
        var measured: [String: Measured] = ["masks": .text(implied.rawValue)]
        var disagreements: [String] = []
        if let stored = PlanType.stored(in: facts.metadata) {
            measured["metadata"] = .text(stored)
            if stored != implied.rawValue { disagreements.append("metadata.case_type says \(stored)") }
        }
        if let constraints = facts.constraints, constraints.count >= 3 {
            // constraints[2] was always 0 before v2.4 (spec, "Plan type").
            let encodesNodal = facts.formatVersion.version == .v2_4
            let fromConstraints = PlanType.implied(ptv56Present: constraints[1] > 0,
                                                   ptv50_4Present: encodesNodal ? constraints[2] > 0 : implied.hasNodalLevel)
            measured["constraints"] = .text(fromConstraints.rawValue)
            if fromConstraints != implied {
                disagreements.append("constraints[1…2] = \(text(Double(constraints[1]), 3)), \(text(Double(constraints[2]), 3)) say \(fromConstraints.rawValue)")
            }
        }
        disagreements += doseDisagreements(facts, limits, measured: &measured)
        guard !disagreements.isEmpty else { return [] }
        return [finding(.error, "masks imply \(implied.rawValue) but " + disagreements.joined(separator: "; "), measured)]
    }

    /// The secondary targets: each one's level, the higher targets its own region leaves out, and
    /// the key its median is measured under and the prefix of its thresholds' names.
    public static let secondaryTargets: [(name: String, higher: [String], key: String, thresholdPrefix: String, levelGy: Double)] = [
        (StructureChannel.ptv56, [StructureChannel.ptv70], "ptv56RegionMedian", "ptv56", 56),
        (StructureChannel.ptv50_4, [StructureChannel.ptv70, StructureChannel.ptv56], "ptv50_4RegionMedian", "ptv50_4", 50.4),
    ]

    /// The dose, as a share of 70 Gy, of every voxel in `structure` and in none of `higher`, in
    /// grid order; nil without dose or when the structure is absent or empty.
    public static func ownRegionDoseShares(_ facts: CaseFacts, structure name: String, higher higherNames: [String]) -> [Double]? {
        guard let dose = facts.dose, let structure = facts.structures[name], !structure.isEmpty else { return nil }
        let higher = higherNames.compactMap { facts.structures[$0] }
        var region: [Double] = []
        structure.withMask { mask in
            for index in 0..<min(mask.count, dose.count) where mask[index] != 0 && !higher.contains(where: { $0.contains(index) }) {
                region.append(Double(dose[index]) * facts.doseScaleGy / 70)
            }
        }
        return region
    }

    /// The median dose (share of 70 Gy) of each secondary PTV's own region must sit at its level.
    private func doseDisagreements(_ facts: CaseFacts, _ limits: CheckThresholds, measured: inout [String: Measured]) -> [String] {
        var disagreements: [String] = []
        for (name, higher, key, prefix, levelGy) in Self.secondaryTargets {
            let range = limits["\(prefix)DoseLow"]...max(limits["\(prefix)DoseLow"], limits["\(prefix)DoseHigh"])
            guard let region = Self.ownRegionDoseShares(facts, structure: name, higher: higher),
                  let median = Percentile.lower(sortedValues: region.sorted(), percent: 50) else { continue }
            measured[key] = .number(rounded(median))
            if !range.contains(median) {
                disagreements.append("the dose in the \(name)-only region has median \(text(median, 3)) of 70 Gy (\(text(median * 70)) Gy), not the \(levelGy) Gy level")
            }
        }
        return disagreements
    }
}

extension PlanType {
    var hasNodalLevel: Bool { self == .sib3Level || self == .nodalOnly }
}

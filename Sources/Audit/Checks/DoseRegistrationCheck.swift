import DoseCase

/// `dose.registration`: a dose aligned with its CT and masks is highest inside the targets
/// (spec, "Known defects"): mean dose inside the PTVs above the mean outside them, and PTV70's
/// mean within 0.85–1.15 of the prescription.
public struct DoseRegistrationCheck: CaseCheck {
    public static let id = "dose.registration"
    public static let ptv70MeanRange: ClosedRange<Double> = 0.85...1.15

    public let definition = CheckDefinition(
        id: id, purpose: "dose registered to the masks: high inside the PTVs, PTV70 mean near Rx",
        severityRule: "error when the mean dose inside the PTV union is not above the mean outside, or PTV70's mean is outside 0.85–1.15 of Rx",
        arraysRead: ["dose", "masks"], measures: ["meanInsidePTVs", "meanOutsidePTVs", "ptv70MeanOfRx"],
        thresholds: ["ptv70MeanLow": ptv70MeanRange.lowerBound, "ptv70MeanHigh": ptv70MeanRange.upperBound])

    public init() {}

    /// The union of the non-empty PTV masks on the dose's grid (1 inside): the region the means
    /// are taken in and out of. nil without dose or without any target.
    public static func targetUnion(_ facts: CaseFacts) -> [UInt8]? {
        guard let dose = facts.dose else { return nil }
        let targets = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4].compactMap { facts.structures[$0] }.filter { !$0.isEmpty }
        guard !targets.isEmpty else { return nil }
        var union = [UInt8](repeating: 0, count: dose.count)
        for target in targets {
            target.withMask { mask in
                for index in 0..<min(union.count, mask.count) where mask[index] != 0 { union[index] = 1 }
            }
        }
        return union
    }

    /// Mean stored dose inside and outside `union` (`targetUnion`).
    public static func meanStoredDose(_ dose: [Float], inside union: [UInt8]) -> (inside: Double, outside: Double) {
        var insideSum = 0.0, insideCount = 0, outsideSum = 0.0, outsideCount = 0
        for index in 0..<min(dose.count, union.count) {
            if union[index] != 0 {
                insideSum += Double(dose[index]); insideCount += 1
            } else {
                outsideSum += Double(dose[index]); outsideCount += 1
            }
        }
        return (insideSum / Double(max(insideCount, 1)), outsideSum / Double(max(outsideCount, 1)))
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let dose = facts.dose, let union = Self.targetUnion(facts) else { return [] }
        let (inside, outside) = Self.meanStoredDose(dose, inside: union)
        // Stored dose is Gy / normalisation, so the prescription is 1.0 in these units.
        let ptv70Mean = (facts.structures[StructureChannel.ptv70]?.dose?.meanGy).map { $0 / facts.doseScaleGy }
        var measured: [String: Measured] = ["meanInsidePTVs": .number(rounded(inside)), "meanOutsidePTVs": .number(rounded(outside))]
        if let ptv70Mean { measured["ptv70MeanOfRx"] = .number(rounded(ptv70Mean)) }
        var problems: [String] = []
        if inside <= outside { problems.append("mean dose inside the PTVs (\(text(inside, 3))) is not above the mean outside (\(text(outside, 3)))") }
        if let ptv70Mean, !(ptv70Mean >= limits["ptv70MeanLow"] && ptv70Mean <= limits["ptv70MeanHigh"]) {
            problems.append("PTV70 mean dose is \(text(ptv70Mean, 3)) of Rx, outside \(limits["ptv70MeanLow"])–\(limits["ptv70MeanHigh"])")
        }
        guard !problems.isEmpty else { return [] }
        return [finding(.error, "dose not registered to the masks: " + problems.joined(separator: "; "), measured)]
    }
}

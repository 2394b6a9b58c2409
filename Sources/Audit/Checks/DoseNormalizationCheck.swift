import DoseCase

/// `dose.normalization`: dose is stored divided by `normalization_dose_gy`, and every consumer
/// multiplies it back by 70 Gy (spec, "Known defects"): any other normalisation scales every
/// dose a model learns.
public struct DoseNormalizationCheck: CaseCheck {
    public static let id = "dose.normalization"
    public static let toleranceGy = 1.0

    public let definition = CheckDefinition(
        id: id, purpose: "dose normalised to 70 Gy, as every consumer assumes",
        severityRule: "error when normalization_dose_gy differs from 70 by more than 1 Gy; info when it is not recorded",
        measures: ["normalizationDoseGy", "primaryDoseGy", "source", "consumersReadGyAs"],
        thresholds: ["toleranceGy": toleranceGy])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard facts.metadata != nil else { return [] }
        let rx = facts.prescription
        var measured: [String: Measured] = ["source": .text(rx.source ?? "not recorded")]
        if let primary = rx.primaryDoseGy { measured["primaryDoseGy"] = .number(primary) }
        guard let normalization = rx.normalizationDoseGy else {
            return [finding(.info, "no normalization_dose_gy recorded; consumers assume 70 Gy (Rx source: \(rx.source ?? "not recorded"))", measured)]
        }
        measured["normalizationDoseGy"] = .number(normalization)
        guard abs(normalization - Prescription.consumerScaleGy) > limits["toleranceGy"] else { return [] }
        measured["consumersReadGyAs"] = .number(rounded(Prescription.consumerScaleGy / normalization))
        return [finding(.error, "dose normalised to \(text(normalization)) Gy (Rx source: \(rx.source ?? "not recorded")) but every consumer multiplies by 70 Gy: doses read \(text(Prescription.consumerScaleGy / normalization, 3))× their true value", measured)]
    }
}

import NumpyFormat

/// How the case's dose was normalised (spec, "Keys" and "Known defects"): `dose` is Gy divided by
/// `normalization_dose_gy`, and every consumer multiplies back by 70 Gy.
public struct Prescription: Sendable, Hashable, Codable {
    /// Every downstream consumer multiplies normalised dose by this.
    public static let consumerScaleGy = 70.0

    public let normalizationDoseGy: Double?
    public let primaryDoseGy: Double?
    public let fractions: Int?
    public let source: String?

    /// True when normalisation and the consumers' constant agree, so `dose × 70` is Gy.
    public var isNormalisedTo70Gy: Bool {
        guard let normalizationDoseGy else { return false }
        return abs(normalizationDoseGy - Self.consumerScaleGy) < 1e-6
    }

    public static func from(metadata: MetadataValue?) -> Prescription {
        let info = metadata?["prescription_info"]
        return Prescription(
            normalizationDoseGy: metadata?["normalization_dose_gy"]?.asDouble,
            primaryDoseGy: info?["primary_dose"]?.asDouble,
            fractions: info?["fractions"]?.asInt,
            source: info?["source"]?.asString)
    }
}

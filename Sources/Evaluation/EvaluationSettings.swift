import Support
import Dosimetry
import Lineage

/// How an evaluation was made: everything a number in it depends on besides the data
/// (spec, dosimetry.md "Known weaknesses": results must say their gamma settings and data).
public struct EvaluationSettings: Sendable, Hashable, Codable {
    public struct Gamma: Sendable, Hashable, Codable {
        public let dosePercent: Double
        public let distanceMM: Double
        public let lowerDoseCutoffPercent: Double
        public let maxGamma: Double
        public let interpolationFraction: Double
        public let normalisation: GammaCriteria.Normalisation
        /// 1 = full resolution; k = both grids decimated to `x[::k, ::k, ::k]` first (the old numbers).
        public let subsample: Int
        /// Pass = γ ≤ 1.
        public let passThreshold: Double

        public init(criteria: GammaCriteria, subsample: Int) {
            dosePercent = criteria.dosePercent
            distanceMM = criteria.distanceMM
            lowerDoseCutoffPercent = criteria.lowerDoseCutoffPercent
            maxGamma = criteria.maxGamma
            interpolationFraction = criteria.interpolationFraction
            normalisation = criteria.normalisation
            self.subsample = subsample
            passThreshold = 1
        }

        public var criteria: GammaCriteria {
            GammaCriteria(dosePercent: dosePercent, distanceMM: distanceMM, lowerDoseCutoffPercent: lowerDoseCutoffPercent,
                          maxGamma: maxGamma, interpolationFraction: interpolationFraction, normalisation: normalisation)
        }
    }

    public struct Region: Sendable, Hashable, Codable {
        /// `cuboid` (the old definition) or `euclidean`.
        public let margin: PTVRegion
        public let marginMM: Double
        public let structures: [String]

        public init(margin: PTVRegion) {
            self.margin = margin
            marginMM = PTVRegion.marginMM
            structures = PTVRegion.ptvNames
        }
    }

    /// The locked split the evaluated cases came from.
    public struct SplitPin: Sendable, Hashable, Codable {
        public let name: String
        public let revision: Int
        public let hash: String
        public let role: String

        public init(name: String, revision: Int, hash: String, role: String) {
            self.name = name
            self.revision = revision
            self.hash = hash
            self.role = role
        }
    }

    /// The acceptance protocol, whole, and the SHA-256 of its canonical JSON: evaluations made
    /// with different tables are not comparable, and the record alone says which was used.
    public struct ProtocolPin: Sendable, Hashable, Codable {
        public let hash: String
        public let definition: AcceptanceProtocol

        public init(_ definition: AcceptanceProtocol) throws {
            hash = try JSONValue(encoding: definition).canonicalSHA256
            self.definition = definition
        }
    }

    public let gamma: Gamma
    public let region: Region
    public let acceptanceProtocol: ProtocolPin
    /// The dose every stored value is multiplied by (spec, "Units").
    public let doseScaleGy: Double
    public let openKBP: Bool
    /// The dataset version id; nil for files evaluated outside a version.
    public let datasetVersion: String?
    public let split: SplitPin?
    /// `gy` when the predictions were read as Gy (`--dose-unit gy`); absent for the format's own
    /// normalised doses, so records made before the option existed keep their hash.
    public let predictionDoseUnit: PredictionDoseUnit?

    /// `acceptanceProtocol` nil means the built-in `current` table.
    public init(criteria: GammaCriteria = .historic, subsample: Int = 1, region: PTVRegion = .cuboid,
                acceptanceProtocol: AcceptanceProtocol? = nil, openKBP: Bool = false,
                datasetVersion: String? = nil, split: SplitPin? = nil, predictionDoseUnit: PredictionDoseUnit = .normalised) throws {
        self.predictionDoseUnit = predictionDoseUnit == .normalised ? nil : predictionDoseUnit
        gamma = Gamma(criteria: criteria, subsample: subsample)
        self.region = Region(margin: region)
        self.acceptanceProtocol = try ProtocolPin(acceptanceProtocol ?? AcceptanceProtocol.builtIn(named: AcceptanceProtocol.defaultName))
        doseScaleGy = 70
        self.openKBP = openKBP
        self.datasetVersion = datasetVersion
        self.split = split
    }

    private enum CodingKeys: String, CodingKey {
        case gamma, region, acceptanceProtocol = "protocol", doseScaleGy, openKBP, datasetVersion, split, predictionDoseUnit
    }

    /// `datasetVersion` and `split` are written as null when the evaluation is not pinned.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gamma, forKey: .gamma)
        try container.encode(region, forKey: .region)
        try container.encode(acceptanceProtocol, forKey: .acceptanceProtocol)
        try container.encode(doseScaleGy, forKey: .doseScaleGy)
        try container.encode(openKBP, forKey: .openKBP)
        try container.encode(datasetVersion, forKey: .datasetVersion)
        try container.encode(split, forKey: .split)
        try container.encodeIfPresent(predictionDoseUnit, forKey: .predictionDoseUnit)
    }
}

/// How a prediction's `dose` is read: normalised like the cases (70 Gy = 1.0, the format's
/// convention), or already in Gy.
public enum PredictionDoseUnit: String, Sendable, Codable, CaseIterable {
    case normalised, gy

    /// A normalised dose above this is 210 Gy: no plan delivers it, a dose saved in Gy does.
    public static let normalisedCeiling: Float = 3
}

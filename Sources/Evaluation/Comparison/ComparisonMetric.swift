import DoseCase
import Dosimetry

/// A per-case number `compare` tests between two methods. Names are what `--metric` accepts.
public struct ComparisonMetric: Sendable, Hashable, Codable {
    public let name: String
    public let unit: String
    public let description: String
    private let source: Source

    private enum Source: Sendable, Hashable, Codable {
        case mae, bodyMAE, gammaGlobal, gammaPTVRegion, gammaMean, compliance, ptv70D95Error
        /// Prediction − reference of a DVH point; `absolute` takes |error|.
        case dvhError(structure: String, metric: DVHMetric, absolute: Bool)
    }

    private init(_ name: String, _ unit: String, _ description: String, _ source: Source) {
        self.name = name
        self.unit = unit
        self.description = description
        self.source = source
    }

    public static let mae = ComparisonMetric("mae", "Gy", "MAE over the whole volume", .mae)
    public static let bodyMAE = ComparisonMetric("mae-body", "Gy", "MAE inside the body (reference > 0.7 Gy)", .bodyMAE)
    public static let gammaGlobal = ComparisonMetric("gamma-global", "%", "gamma pass rate, global", .gammaGlobal)
    public static let gammaPTVRegion = ComparisonMetric("gamma-ptv", "%", "gamma pass rate in the PTV region", .gammaPTVRegion)
    public static let gammaMean = ComparisonMetric("gamma-mean", "", "mean gamma", .gammaMean)
    public static let compliance = ComparisonMetric("compliance", "%", "acceptance compliance of the prediction", .compliance)
    public static let ptv70D95Error = ComparisonMetric("ptv70-d95-error", "Gy", "PTV70 D95 error (prediction − reference)", .ptv70D95Error)

    /// The issue's default set: MAE, both gamma pass rates, compliance, PTV70 D95 error.
    public static let defaults: [ComparisonMetric] = [mae, gammaGlobal, gammaPTVRegion, compliance, ptv70D95Error]
    static let named: [ComparisonMetric] = [mae, bodyMAE, gammaGlobal, gammaPTVRegion, gammaMean, compliance, ptv70D95Error]

    /// What `--metric` accepts, for help and error messages.
    public static let accepted = named.map(\.name) + ["dvh-error:STRUCTURE:METRIC", "dvh-abs-error:STRUCTURE:METRIC"]

    /// A metric by name: one of `accepted`, e.g. `gamma-ptv` or `dvh-error:Rectum:V70`.
    public static func parse(_ text: String) throws -> ComparisonMetric {
        if let metric = named.first(where: { $0.name == text }) { return metric }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "dvh-error" || parts[0] == "dvh-abs-error" else {
            throw ComparisonError.unknownMetric(name: text, accepted: accepted)
        }
        guard let metric = DVHMetric(rawValue: parts[2]), DVHMetric.metrics(for: parts[1]).contains(metric),
              StructureChannel.standardOrder.contains(parts[1]) else {
            throw ComparisonError.unknownMetric(name: text, accepted: accepted)
        }
        let absolute = parts[0] == "dvh-abs-error"
        return ComparisonMetric(text, metric.unit, "\(absolute ? "|error|" : "error") of \(parts[1]) \(metric.rawValue) (prediction − reference)",
                                .dvhError(structure: parts[1], metric: metric, absolute: absolute))
    }

    /// This metric of one case's evaluation; nil when the case does not have it.
    public func value(of evaluation: CaseEvaluation) -> Double? {
        switch source {
        case .mae: return evaluation.maeGy
        case .bodyMAE: return evaluation.mae.bodyGy
        case .gammaGlobal: return evaluation.gamma.global.passRate
        case .gammaPTVRegion: return evaluation.gamma.ptvRegion?.passRate
        case .gammaMean: return evaluation.gamma.global.mean
        case .compliance: return evaluation.acceptance.prediction.compliancePercent
        case .ptv70D95Error: return evaluation.ptv70D95ErrorGy
        case let .dvhError(structure, metric, absolute):
            return evaluation.dvh[structure]?[metric.rawValue].map { absolute ? abs($0.error) : $0.error }
        }
    }

    private enum CodingKeys: String, CodingKey { case name, unit, description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = try Self.parse(try container.decode(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(unit, forKey: .unit)
        try container.encode(description, forKey: .description)
    }
}

import DoseCase

/// One row of an acceptance protocol: a DVH metric of one structure held against a limit
/// (spec, dosimetry.md "Clinical acceptance table"). The JSON keys are the protocol file format.
public struct AcceptanceConstraint: Sendable, Hashable, Codable {
    public enum Comparison: String, Sendable, Hashable, Codable, CaseIterable {
        case atMost = "<=", atLeast = ">=", below = "<", above = ">"

        public func holds(_ value: Double, limit: Double) -> Bool {
            switch self {
            case .atMost: return value <= limit
            case .atLeast: return value >= limit
            case .below: return value < limit
            case .above: return value > limit
            }
        }
    }

    public let structure: String
    public let metric: DVHMetric
    public let comparison: Comparison
    public let limit: Double
    /// The metric's unit, spelled out so a reader of the file cannot misread the limit.
    public let unit: String
    public let description: String

    public init(structure: String, metric: DVHMetric, comparison: Comparison, limit: Double, unit: String, description: String) {
        self.structure = structure
        self.metric = metric
        self.comparison = comparison
        self.limit = limit
        self.unit = unit
        self.description = description
    }

    /// "PTV70 V100 >= 95 %".
    public var text: String { "\(structure) \(metric.rawValue) \(comparison.rawValue) \(GammaCriteria.format(limit)) \(unit)" }

    /// What is wrong with this row, if anything: a structure outside the pipeline's catalog, a
    /// metric that does not apply to it, a unit other than the metric's, a limit that is not finite.
    func problem() -> String? {
        guard StructureChannel.standardOrder.contains(structure) else {
            return "structure '\(structure)' is not one of \(StructureChannel.standardOrder.joined(separator: ", "))"
        }
        guard DVHMetric.metrics(for: structure).contains(metric) else {
            return "\(metric.rawValue) is not reported for \(structure) (it has \(DVHMetric.metrics(for: structure).map(\.rawValue).joined(separator: ", ")))"
        }
        guard unit == metric.unit else {
            let hint = metric == .v45 && unit == "cc" ? "; V45cc is the volume in cc" : ""
            return "\(metric.rawValue) is in \(metric.unit), found unit '\(unit)'\(hint)"
        }
        guard limit.isFinite else { return "limit must be a finite number, found \(limit)" }
        return nil
    }
}

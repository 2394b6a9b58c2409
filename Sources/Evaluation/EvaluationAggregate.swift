import DoseCase

/// Across-case summaries of the numbers users report first.
public struct EvaluationAggregate: Sendable, Equatable, Codable {
    /// Mean, sample standard deviation (n − 1), minimum and maximum over the cases that have the value.
    public struct Summary: Sendable, Equatable, Codable {
        public let n: Int
        public let mean: Double?
        public let std: Double?
        public let min: Double?
        public let max: Double?

        public init(_ values: [Double]) {
            n = values.count
            guard !values.isEmpty else {
                mean = nil; std = nil; min = nil; max = nil
                return
            }
            let average = values.reduce(0, +) / Double(values.count)
            mean = average
            std = values.count > 1 ? (values.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(values.count - 1)).squareRoot() : nil
            min = values.min()
            max = values.max()
        }

        private enum CodingKeys: String, CodingKey { case n, mean, std, min, max }

        /// Every key is written, as null when no case has the value.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(n, forKey: .n)
            try container.encode(mean, forKey: .mean)
            try container.encode(std, forKey: .std)
            try container.encode(min, forKey: .min)
            try container.encode(max, forKey: .max)
        }
    }

    public let cases: Int
    public let maeGy: Summary
    public let gammaGlobalPassRate: Summary
    public let gammaPTVRegionPassRate: Summary
    public let ptv70D95ErrorGy: Summary
    public let ptv70D95AbsoluteErrorGy: Summary
    /// Acceptance compliance (%) of the predictions and of the references, and how many cases
    /// passed every evaluated constraint.
    public let predictionCompliancePercent: Summary
    public let referenceCompliancePercent: Summary
    public let predictionsPassed: Int
    public let referencesPassed: Int

    public init(_ evaluations: [CaseEvaluation]) {
        cases = evaluations.count
        maeGy = Summary(evaluations.compactMap(\.maeGy))
        gammaGlobalPassRate = Summary(evaluations.compactMap(\.gamma.global.passRate))
        gammaPTVRegionPassRate = Summary(evaluations.compactMap { $0.gamma.ptvRegion?.passRate })
        ptv70D95ErrorGy = Summary(evaluations.compactMap(\.ptv70D95ErrorGy))
        ptv70D95AbsoluteErrorGy = Summary(evaluations.compactMap { $0.ptv70D95ErrorGy.map(abs) })
        predictionCompliancePercent = Summary(evaluations.compactMap(\.acceptance.prediction.compliancePercent))
        referenceCompliancePercent = Summary(evaluations.compactMap(\.acceptance.reference.compliancePercent))
        predictionsPassed = evaluations.count { $0.acceptance.prediction.passed }
        referencesPassed = evaluations.count { $0.acceptance.reference.passed }
    }
}

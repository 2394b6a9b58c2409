/// One dose distribution against one protocol (spec, dosimetry.md "Clinical acceptance table").
public struct AcceptanceResult: Sendable, Hashable, Codable {
    public struct Violation: Sendable, Hashable, Codable {
        /// "Rectum V70 <= 15 %".
        public let constraint: String
        public let structure: String
        public let metric: String
        public let value: Double
        public let limit: Double
        public let unit: String
        public let description: String
    }

    /// Every evaluated constraint met (and at least one evaluated).
    public let passed: Bool
    /// 100 · met / evaluated; nil when no constraint could be evaluated. Constraints on absent
    /// structures count neither way: a single-prescription case has no PTV56 to fail.
    public let compliancePercent: Double?
    public let constraintsMet: Int
    public let constraintsEvaluated: Int
    public let violations: [Violation]
    /// Constraints whose structure is absent from the case, as text.
    public let notEvaluated: [String]

    init(met: Int, violations: [Violation], notEvaluated: [String]) {
        constraintsMet = met
        constraintsEvaluated = met + violations.count
        passed = constraintsEvaluated > 0 && violations.isEmpty
        compliancePercent = constraintsEvaluated > 0 ? 100 * Double(met) / Double(constraintsEvaluated) : nil
        self.violations = violations
        self.notEvaluated = notEvaluated
    }

    private enum CodingKeys: String, CodingKey { case passed, compliancePercent, constraintsMet, constraintsEvaluated, violations, notEvaluated }

    /// `compliancePercent` is written as null when nothing was evaluated.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passed, forKey: .passed)
        try container.encode(compliancePercent, forKey: .compliancePercent)
        try container.encode(constraintsMet, forKey: .constraintsMet)
        try container.encode(constraintsEvaluated, forKey: .constraintsEvaluated)
        try container.encode(violations, forKey: .violations)
        try container.encode(notEvaluated, forKey: .notEvaluated)
    }
}

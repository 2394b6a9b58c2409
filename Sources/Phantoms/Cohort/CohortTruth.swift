/// `truth.json`: what every generated file is and which audit checks must flag it.
/// `{"cases": {FILE: {caseId, institution, planType, formatVersion, defects, expect}}}` with FILE
/// relative to the cohort folder; `planType` is the plan the masks and dose carry (the truth,
/// whatever a mislabelled metadata claims). `generator` records how the cohort was made.
public struct CohortTruth: Codable, Sendable, Equatable {
    public struct Case: Codable, Sendable, Equatable {
        public var caseId: String
        public var institution: String?
        public var planType: String
        public var formatVersion: String
        public var defects: [String]
        public var expect: [String]

        // `institution` is written as null when absent, as the contract spells it.
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(caseId, forKey: .caseId)
            try container.encode(institution, forKey: .institution)
            try container.encode(planType, forKey: .planType)
            try container.encode(formatVersion, forKey: .formatVersion)
            try container.encode(defects, forKey: .defects)
            try container.encode(expect, forKey: .expect)
        }
    }

    public struct Generator: Codable, Sendable, Equatable {
        public var tool: String
        public var seed: UInt64
        public var size: String
        public var cleanCases: Int
        public var defects: [String]
        public var institutions: [String]
        public var firstCaseNumber: Int
    }

    public var generator: Generator
    public var cases: [String: Case]
}

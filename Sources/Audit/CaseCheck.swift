/// What a check is, for the report and the README: its stable id, what it is for, how it decides
/// severity, which array values it reads and which measurements it reports.
public struct CheckDefinition: Sendable, Hashable, Codable {
    public let id: String
    public let purpose: String
    public let severityRule: String
    /// Arrays whose values the check reads; headers and metadata are always available.
    public let arraysRead: [String]
    /// Keys of the `measured` object its findings carry.
    public let measures: [String]
    /// True for checks that compare cases with each other, after every case has been read.
    public let crossCase: Bool
    /// The numbers the check decides by, with their defaults; a policy file may override each.
    public let thresholds: [String: Double]
    /// The parts of its findings that name case files (`message`, `measured.<key>`). A file's name
    /// is where it lay, not what the audit found, so the audit's identity leaves these out and a
    /// dataset version's id does not change when its files move (docs/records.md).
    public let locationFields: [String]

    public init(id: String, purpose: String, severityRule: String, arraysRead: [String] = [], measures: [String],
                crossCase: Bool = false, thresholds: [String: Double] = [:], locationFields: [String] = []) {
        self.thresholds = thresholds
        self.id = id
        self.purpose = purpose
        self.severityRule = severityRule
        self.arraysRead = arraysRead
        self.measures = measures
        self.crossCase = crossCase
        self.locationFields = locationFields
    }

    private enum CodingKeys: String, CodingKey {
        case id, purpose, severityRule, arraysRead, measures, crossCase, thresholds, locationFields
    }

    /// Reports written before `locationFields` existed read as naming no files.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        purpose = try container.decode(String.self, forKey: .purpose)
        severityRule = try container.decode(String.self, forKey: .severityRule)
        arraysRead = try container.decodeIfPresent([String].self, forKey: .arraysRead) ?? []
        measures = try container.decode([String].self, forKey: .measures)
        crossCase = try container.decode(Bool.self, forKey: .crossCase)
        thresholds = try container.decodeIfPresent([String: Double].self, forKey: .thresholds) ?? [:]
        locationFields = try container.decodeIfPresent([String].self, forKey: .locationFields) ?? []
    }
}

/// A check of one case, evaluated on the facts its streaming pass gathered.
public protocol CaseCheck: Sendable {
    var definition: CheckDefinition { get }
    func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding]
}

/// A check's thresholds in force: its defaults, with the policy's overrides.
public struct CheckThresholds: Sendable, Hashable {
    public let values: [String: Double]

    public init(_ values: [String: Double]) { self.values = values }

    /// The value of a threshold the check's definition names (NaN for any other name, so a
    /// misspelt name can never make a comparison pass).
    public subscript(_ name: String) -> Double { values[name] ?? .nan }

    /// A threshold that counts something (digits, voxels), when it is a sensible whole number.
    public func wholeNumber(_ name: String) -> Int? {
        let value = self[name]
        guard value.isFinite, value >= 0, value <= 1_000_000 else { return nil }
        return Int(value)
    }
}

/// A check across cases, evaluated after every case has been read (or taken from the cache).
public protocol DatasetCheck: Sendable {
    var definition: CheckDefinition { get }
    /// Findings per case file.
    func evaluate(_ cases: [CaseAudit], _ limits: CheckThresholds) -> [String: [AuditFinding]]
}

extension CaseCheck {
    func finding(_ severity: Severity, _ message: String, _ measured: [String: Measured] = [:]) -> AuditFinding {
        AuditFinding(check: definition.id, severity: severity, message: message, measured: measured)
    }
}

extension DatasetCheck {
    func finding(_ severity: Severity, _ message: String, _ measured: [String: Measured] = [:]) -> AuditFinding {
        AuditFinding(check: definition.id, severity: severity, message: message, measured: measured)
    }
}

/// The result of one audit: every case with its findings, the checks that ran and a summary.
/// Its JSON form is the contract `dosecurate/audit-report/1` (`schemas/audit-report.schema.json`).
public struct AuditReport: Sendable, Codable {
    public static let schemaName = "dosecurate/audit-report/1"

    public struct Summary: Sendable, Codable {
        public let cases: Int
        public let pass: Int
        public let warn: Int
        public let fail: Int
        /// Findings per severity (`error`, `warning`, `info`).
        public let findings: [String: Int]
        /// Findings per check id, then per severity.
        public let byCheck: [String: [String: Int]]
        /// Cases per implied plan type (`unknown` when the masks could not be read).
        public let planTypes: [String: Int]
        /// Cases taken from the cache instead of being read.
        public let cacheHits: Int
    }

    public let schema: String
    public let catalogVersion: String
    public let checks: [CheckDefinition]
    /// The thresholds and severity remaps in force, and their hash.
    public let policy: EffectivePolicy
    /// Sorted by file.
    public private(set) var cases: [CaseAudit]
    public let summary: Summary
    /// What the audit was pointed at and did not read as a case (special files, second links,
    /// loops, names that are not UTF-8, archive links), sorted by path.
    public let skipped: [SkippedInput]

    public init(catalog: CheckCatalog, policy: EffectivePolicy, cases: [CaseAudit], cacheHits: Int, skipped: [SkippedInput] = []) {
        self.skipped = skipped.sorted { $0.path < $1.path }
        schema = Self.schemaName
        catalogVersion = CheckCatalog.version
        checks = catalog.definitions
        self.policy = policy
        self.cases = cases.sorted { $0.file < $1.file }
        var bySeverity: [String: Int] = [:], byCheck: [String: [String: Int]] = [:], planTypes: [String: Int] = [:]
        for audit in cases {
            planTypes[audit.planType ?? "unknown", default: 0] += 1
            for finding in audit.findings {
                bySeverity[finding.severity.rawValue, default: 0] += 1
                byCheck[finding.check, default: [:]][finding.severity.rawValue, default: 0] += 1
            }
        }
        summary = Summary(cases: cases.count, pass: cases.count { $0.status == .pass }, warn: cases.count { $0.status == .warn },
                          fail: cases.count { $0.status == .fail }, findings: bySeverity, byCheck: byCheck, planTypes: planTypes,
                          cacheHits: cacheHits)
    }

    /// The same report with every case's file spelled as `rename` says (a workspace record names
    /// files relative to the workspace).
    public func renamingFiles(_ rename: (String) -> String) -> AuditReport {
        var copy = self
        copy.cases = cases.map { $0.renamed(to: rename($0.file)) }.sorted { $0.file < $1.file }
        return copy
    }

    /// Whether any finding is at least `severity` (what `--fail-on` asks).
    public func hasFinding(atLeast severity: Severity) -> Bool {
        cases.contains { audit in audit.findings.contains { $0.severity >= severity } }
    }
}

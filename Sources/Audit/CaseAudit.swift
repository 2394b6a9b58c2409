import DoseCase

/// The audit of one case: what it is, its identity, and what the checks found. This is the
/// per-case entry of the JSON report (schema `dosecurate/audit-report/1`) and what the cache
/// keeps, so an unchanged file is not read again.
public struct CaseAudit: Sendable, Codable {
    public enum Status: String, Sendable, Codable, Comparable {
        case pass, warn, fail

        private var rank: Int { self == .pass ? 0 : (self == .warn ? 1 : 2) }
        public static func < (lhs: Status, rhs: Status) -> Bool { lhs.rank < rhs.rank }
    }

    /// A file path, or `ARCHIVE!member`.
    public private(set) var file: String
    public let caseId: String?
    public let formatVersion: String?
    /// The plan type the masks imply.
    public let planType: String?
    /// `metadata.case_type.type` as stored.
    public let storedPlanType: String?
    public let caseHash: String?
    public let arrays: [String: ArrayIdentity]
    /// SHA-256 of the decoded metadata's canonical JSON; nil without readable metadata.
    public let metadataHash: String?
    /// PTV70's volume (mask voxels × voxel volume); nil without a readable PTV70 channel.
    public let ptv70VolumeCC: Double?
    public private(set) var findings: [AuditFinding]
    public private(set) var status: Status
    /// Kept for the near-duplicate comparison across cases; not part of the report.
    public internal(set) var ctFingerprint: CTFingerprint?

    private enum CodingKeys: String, CodingKey {
        case file, caseId, formatVersion, planType, storedPlanType, status, caseHash, arrays, metadataHash, ptv70VolumeCC, findings
    }

    init(file: String, caseId: String?, formatVersion: String?, planType: String?, storedPlanType: String?, caseHash: String?,
         arrays: [String: ArrayIdentity], metadataHash: String?, ptv70VolumeCC: Double?, findings: [AuditFinding],
         ctFingerprint: CTFingerprint?) {
        self.file = file
        self.caseId = caseId
        self.formatVersion = formatVersion
        self.planType = planType
        self.storedPlanType = storedPlanType
        self.caseHash = caseHash
        self.arrays = arrays
        self.metadataHash = metadataHash
        self.ptv70VolumeCC = ptv70VolumeCC
        self.findings = findings
        self.ctFingerprint = ctFingerprint
        status = Self.status(of: findings)
    }

    /// Runs the case checks on one case's facts. An unreadable file gets only `file.readable`:
    /// the other checks would report what is missing from a partial read, not from the case.
    static func evaluate(_ facts: CaseFacts, checks: [any CaseCheck], policy: AuditPolicy) -> CaseAudit {
        let readable = facts.readFailure == nil
        let run = readable ? checks : [FileReadableCheck()]
        let findings = run.flatMap { check in
            check.evaluate(facts, policy.thresholds(for: check.definition)).map(policy.applied)
        }
        let identity = facts.identity
        return CaseAudit(
            file: facts.file, caseId: readable ? facts.caseId : nil,
            formatVersion: readable ? facts.formatVersion.version.rawValue : nil,
            planType: readable ? facts.impliedPlanType?.rawValue : nil,
            storedPlanType: readable ? PlanType.stored(in: facts.metadata) : nil,
            caseHash: identity?.caseHash, arrays: identity?.arrays ?? [:], metadataHash: identity?.metadataSHA256,
            ptv70VolumeCC: readable ? ptv70VolumeCC(facts) : nil, findings: findings,
            ctFingerprint: readable ? facts.ctFingerprint : nil)
    }

    /// From the voxel counts of the streaming pass, so it is known even when the masks could not
    /// be kept; rounded to 0.001 cc, far below what a tertile boundary could notice.
    private static func ptv70VolumeCC(_ facts: CaseFacts) -> Double? {
        guard let channel = facts.channels.channels.first(where: { $0.name == "PTV70" }),
              facts.channelVoxelCounts.indices.contains(channel.index) else { return nil }
        return (Double(facts.channelVoxelCounts[channel.index]) * facts.spacing.voxelVolumeCC * 1000).rounded() / 1000
    }

    /// A case that could not be opened at all (a damaged delivery archive).
    static func unreadable(file: String, reason: String) -> CaseAudit {
        CaseAudit(file: file, caseId: nil, formatVersion: nil, planType: nil, storedPlanType: nil, caseHash: nil, arrays: [:],
                  metadataHash: nil, ptv70VolumeCC: nil, findings: [AuditFinding(check: FileReadableCheck.id, severity: .error, message: "cannot be read: \(reason)",
                                          measured: ["reason": .text(reason)])],
                  ctFingerprint: nil)
    }

    /// Absent values are written as `null`, as the report contract asks, not left out.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(caseId, forKey: .caseId)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(planType, forKey: .planType)
        try container.encode(storedPlanType, forKey: .storedPlanType)
        try container.encode(status, forKey: .status)
        try container.encode(caseHash, forKey: .caseHash)
        try container.encode(arrays, forKey: .arrays)
        try container.encode(metadataHash, forKey: .metadataHash)
        try container.encode(ptv70VolumeCC, forKey: .ptv70VolumeCC)
        try container.encode(findings, forKey: .findings)
    }

    /// The same audit reported under another path spelling (a cache hit through a new path).
    func renamed(to name: String) -> CaseAudit {
        var copy = self
        copy.file = name
        return copy
    }

    mutating func append(_ more: [AuditFinding]) {
        findings += more
        status = Self.status(of: findings)
    }

    static func status(of findings: [AuditFinding]) -> Status {
        switch findings.map(\.severity).max() {
        case .error?: .fail
        case .warning?: .warn
        default: .pass
        }
    }

    /// The most severe finding's severity, for `--fail-on`.
    public var worstSeverity: Severity? { findings.map(\.severity).max() }
}

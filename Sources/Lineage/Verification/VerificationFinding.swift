/// One thing `verify` found that differs from what the workspace's records assert.
public struct VerificationFinding: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// A record's identity no longer hashes to its stored hash or id: it was edited.
        case recordTampered = "record-tampered"
        /// A record file that cannot be read or parsed.
        case recordUnreadable = "record-unreadable"
        /// A record names a dataset version (or revision) the workspace does not hold.
        case unknownVersion = "unknown-version"
        /// An audit report bound to a version changed or disappeared: its findings no longer give
        /// the audit digest the version's identity pins, or its bytes (or its JUnit XML's) are not
        /// what was written.
        case auditChanged = "audit-changed"
        /// A commit a crash interrupted after its commit point, left unfinished because the
        /// workspace is read-only: the records it would publish are not there yet.
        case commitUnfinished = "commit-unfinished"
        /// A case's bytes differ from the version's hashes.
        case caseChanged = "case-changed"
        /// A case's file (or archive member) is gone.
        case caseMissing = "case-missing"
        /// A case's file is there but cannot be read to its end.
        case caseUnreadable = "case-unreadable"
        /// A split disagrees with its dataset version or its parent revision (a case hash, a
        /// missing case, a moved assignment).
        case splitMismatch = "split-mismatch"
        /// A file a run's result lists (a checkpoint, metrics, its log) differs from the size and
        /// SHA-256 the result recorded, or a gamma map an evaluation lists from its SHA-256.
        case artifactChanged = "artifact-changed"
        /// A file a run's result or an evaluation's `gammaMaps` lists is gone.
        case artifactMissing = "artifact-missing"
        /// An evaluation names a run the workspace does not hold, or weights that run's result
        /// does not list.
        case unknownRun = "unknown-run"
        /// A comparison names an evaluation the workspace's `evaluations/` does not hold.
        case unknownEvaluation = "unknown-evaluation"
    }

    public let kind: Kind
    /// The workspace-relative record the finding concerns.
    public let record: String
    public let caseId: String?
    public let path: String?
    public let message: String

    /// `record-tampered` when a record's identity no longer hashes to its stored hash; nil when intact.
    static func tampering(of envelope: RecordEnvelope, in record: String) -> VerificationFinding? {
        guard envelope.computedHash != envelope.storedHash else { return nil }
        return VerificationFinding(kind: .recordTampered, record: record,
                                   message: "\(record): its identity hashes to \(envelope.computedHash.prefix(16))…, the record says \(envelope.storedHash.prefix(16))…: it was edited after it was written")
    }

    public init(kind: Kind, record: String, caseId: String? = nil, path: String? = nil, message: String) {
        self.kind = kind
        self.record = record
        self.caseId = caseId
        self.path = path
        self.message = message
    }
}

/// What `verify` checked and found.
public struct VerificationReport: Sendable, Codable, Equatable {
    public let records: Int
    public let versions: Int
    public let cases: Int
    /// Whether every case was re-read (`--deep`) rather than trusted to the hash cache when unchanged.
    public let deep: Bool
    /// The workspace could not be written: it was read without taking a lock it would have to
    /// create, and the hash cache was read but not updated.
    public let readOnly: Bool
    public let findings: [VerificationFinding]

    public init(records: Int, versions: Int, cases: Int, deep: Bool, readOnly: Bool = false, findings: [VerificationFinding]) {
        self.records = records
        self.versions = versions
        self.cases = cases
        self.deep = deep
        self.readOnly = readOnly
        self.findings = findings
    }

    /// No drift: every record intact, every case as frozen.
    public var isClean: Bool { findings.isEmpty }
}

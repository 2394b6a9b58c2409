import DoseCase

/// A frozen dataset version: exactly which audited bytes it holds, which cases were left out and
/// why (DESIGN.md, "Identity"; `schemas/dataset-version.schema.json`). Its id is `dsv-` + the
/// first 16 hex digits of the identity's hash, so the same data gives the same id wherever it
/// lies; paths and times live in the context, which a move may change (a new revision).
public struct DatasetVersion: Sendable, Equatable {
    /// `/2` added `auditDigest` to the identity; `/1` records are refused with a note to freeze again.
    public static let schemaName = "dosecurate/dataset-version/2"

    /// One case the version holds.
    public struct Case: Sendable, Codable, Equatable {
        public let caseId: String
        public let institution: String
        public let formatVersion: String?
        /// The plan type the masks imply.
        public let planType: String?
        public let ptv70VolumeCC: Double?
        /// `pass` or `warn`; `fail` only with a justified inclusion.
        public let auditStatus: String
        public let caseHash: String
        public let arrays: [String: ArrayIdentity]
        public let metadataHash: String?
        /// Present when the case has audit errors and a policy included it anyway.
        public let inclusion: Inclusion?

        public init(caseId: String, institution: String, formatVersion: String?, planType: String?, ptv70VolumeCC: Double?,
                    auditStatus: String, caseHash: String, arrays: [String: ArrayIdentity], metadataHash: String?, inclusion: Inclusion?) {
            self.caseId = caseId
            self.institution = institution
            self.formatVersion = formatVersion
            self.planType = planType
            self.ptv70VolumeCC = ptv70VolumeCC
            self.auditStatus = auditStatus
            self.caseHash = caseHash
            self.arrays = arrays
            self.metadataHash = metadataHash
            self.inclusion = inclusion
        }
    }

    /// Why a case with audit errors is in the version: the user's written justification.
    public struct Inclusion: Sendable, Codable, Equatable {
        public let justification: String
        /// The checks that reported errors.
        public let checks: [String]

        public init(justification: String, checks: [String]) {
            self.justification = justification
            self.checks = checks
        }
    }

    /// A case left out of the version.
    public struct Exclusion: Sendable, Codable, Equatable {
        public enum Reason: String, Sendable, Codable {
            /// Audit errors (the checks are listed).
            case auditErrors = "audit-errors"
            /// The same data as a kept case under another id (`dataset.duplicates`).
            case duplicate
            /// The file could not be read, so it has no identity.
            case unreadable
        }

        public let caseId: String
        public let institution: String
        public let caseHash: String?
        public let reason: Reason
        /// The checks that reported errors.
        public let checks: [String]
        /// For a duplicate: the id of the case kept in its place.
        public let duplicateOf: String?
    }

    /// What the version asserts; hashed for its id.
    public struct Identity: Sendable, Codable, Equatable {
        /// Sorted by case id.
        public let cases: [Case]
        /// Sorted by case id.
        public let excluded: [Exclusion]
        /// SHA-256 of the audit's identity (`AuditIdentity`): the audit bound to the version, pinned
        /// by the version's id; `verify` re-derives it from the report file.
        public let auditDigest: String

        public init(cases: [Case], excluded: [Exclusion], auditDigest: String) {
            self.cases = cases
            self.excluded = excluded
            self.auditDigest = auditDigest
        }
    }

    /// Where the data was found and how the version was made; not hashed.
    public struct Context: Sendable, Codable, Equatable {
        /// A file behind a case id: the one the version reads, an identical copy, or an excluded file.
        public struct CaseFile: Sendable, Codable, Equatable {
            public enum Role: String, Sendable, Codable { case kept, copy, excluded }
            public let caseId: String
            /// Relative to the workspace when inside it, else absolute; `ARCHIVE!member` in a delivery.
            public let path: String
            public let role: Role

            public init(caseId: String, path: String, role: Role) {
                self.caseId = caseId
                self.path = path
                self.role = role
            }
        }

        /// The audit's files and their SHA-256 as written. Only a convenience: what `verify` trusts
        /// is the identity's `auditDigest`, re-derived from the report.
        public struct AuditFiles: Sendable, Codable, Equatable {
            public let report: String
            public let reportSHA256: String
            public let junit: String
            public let junitSHA256: String
            public let catalogVersion: String
            public let policySHA256: String
            public let policySource: String?

            public init(report: String, reportSHA256: String, junit: String, junitSHA256: String, catalogVersion: String,
                        policySHA256: String, policySource: String?) {
                self.report = report
                self.reportSHA256 = reportSHA256
                self.junit = junit
                self.junitSHA256 = junitSHA256
                self.catalogVersion = catalogVersion
                self.policySHA256 = policySHA256
                self.policySource = policySource
            }
        }

        public let createdAt: String
        /// The revision this one re-points (`dsv-…@k`), nil for the first.
        public let parent: String?
        public let tool: ToolBuild
        /// The paths `freeze` was given, as recorded names.
        public let inputs: [String]
        /// `parent-folder`, `--institution NAME` or `--institution-map FILE`.
        public let institutionSource: String
        /// Sorted by case id, then path.
        public let files: [CaseFile]
        public let audit: AuditFiles

        public init(createdAt: String, parent: String?, tool: ToolBuild, inputs: [String], institutionSource: String, files: [CaseFile],
                    audit: AuditFiles) {
            self.createdAt = createdAt
            self.parent = parent
            self.tool = tool
            self.inputs = inputs
            self.institutionSource = institutionSource
            self.files = files
            self.audit = audit
        }
    }

    public let identity: Identity
    public let context: Context

    public init(identity: Identity, context: Context) {
        self.identity = identity
        self.context = context
    }

    /// `dsv-` + the first 16 hex digits of the identity's record hash.
    public static func id(of identity: Identity) throws -> String {
        "dsv-" + (try RecordEnvelope.hash(of: identity)).prefix(16)
    }

    /// Where the files of kept cases lie, by case id.
    public var keptPaths: [String: String] {
        Dictionary(context.files.filter { $0.role == .kept }.map { ($0.caseId, $0.path) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The dosecurate build that wrote a record.
public struct ToolBuild: Sendable, Codable, Equatable {
    public static let current = ToolBuild(name: "dosecurate", version: "0.1.0")
    /// The git commit this build was made from (embedded before every build by the
    /// EmbedBuildCommit plugin), or nil when the source was not a git checkout.
    public static let commit: String? = buildCommit
    public let name: String
    public let version: String
}

import Audit
import DoseCase

/// Turns an audit into a dataset version's identity and the file list of its context: which cases
/// are kept, which are left out and why.
///
/// Rules (issue 7; README "freeze"): a case with audit errors is excluded and listed with the
/// checks, unless the policy includes it with a justification; the same data under several ids
/// keeps the first id (sorted) and excludes the others as duplicates; the same id in several files
/// with the same data is one case (the others are copies, in the context only); the same id with
/// different data is refused; so is a version that would keep no case.
public struct DatasetVersionBuilder: Sendable {
    public let report: AuditReport
    public let institutions: InstitutionAssignment
    /// Case id → justification (`AuditPolicy.include`).
    public let inclusions: [String: String]

    public init(report: AuditReport, institutions: InstitutionAssignment, inclusions: [String: String]) {
        self.report = report
        self.institutions = institutions
        self.inclusions = inclusions
    }

    public struct Result: Sendable {
        public let identity: DatasetVersion.Identity
        /// Case id, location and role of every file the audit read.
        public let files: [(caseId: String, location: CaseLocation, role: DatasetVersion.Context.CaseFile.Role)]
        /// Inclusions that named no case among the inputs.
        public let unusedInclusions: [String]
    }

    public func build() throws -> Result {
        // Group the files by the id they claim; one representative per id.
        var byId: [String: [CaseAudit]] = [:]
        for audit in report.cases { byId[caseId(of: audit), default: []].append(audit) }
        var representatives: [(caseId: String, audit: CaseAudit)] = []
        var files: [(caseId: String, location: CaseLocation, role: DatasetVersion.Context.CaseFile.Role)] = []
        for (caseId, group) in byId {
            let ordered = group.sorted { $0.file < $1.file }
            if Set(ordered.map(\.caseHash)).count > 1 || (ordered.count > 1 && ordered[0].caseHash == nil) {
                throw LineageError.conflictingCaseId(caseId: caseId, files: ordered.map(\.file))
            }
            representatives.append((caseId, ordered[0]))
            for copy in ordered.dropFirst() { files.append((caseId, CaseLocation.parse(copy.file), .copy)) }
        }
        representatives.sort { $0.caseId < $1.caseId }

        var missingInstitutions: [String] = []
        func institution(_ caseId: String, _ audit: CaseAudit) -> String {
            if let name = institutions.institution(caseId: caseId, location: CaseLocation.parse(audit.file)) { return name }
            missingInstitutions.append(caseId)
            return ""
        }

        var kept: [DatasetVersion.Case] = [], excluded: [DatasetVersion.Exclusion] = []
        var firstIdOfHash: [String: String] = [:]
        for (caseId, audit) in representatives {
            let institution = institution(caseId, audit)
            let errorChecks = Array(Set(audit.findings.filter { $0.severity == .error }.map(\.check))).sorted()
            let location = CaseLocation.parse(audit.file)
            guard let caseHash = audit.caseHash else {
                if inclusions[caseId] != nil {
                    throw LineageError.invalidInclusion(caseId: caseId, reason: "the file cannot be read, so there is nothing to include")
                }
                excluded.append(.init(caseId: caseId, institution: institution, caseHash: nil, reason: .unreadable, checks: errorChecks,
                                      duplicateOf: nil))
                files.append((caseId, location, .excluded))
                continue
            }
            if let original = firstIdOfHash[caseHash] {
                excluded.append(.init(caseId: caseId, institution: institution, caseHash: caseHash, reason: .duplicate, checks: errorChecks,
                                      duplicateOf: original))
                files.append((caseId, location, .excluded))
                continue
            }
            firstIdOfHash[caseHash] = caseId
            // `dataset.duplicates` errors fall on the copies just handled, never on the first id.
            let blocking = errorChecks.filter { $0 != DatasetDuplicatesCheck.id }
            let inclusion = blocking.isEmpty ? nil : inclusions[caseId].map { DatasetVersion.Inclusion(justification: $0, checks: blocking) }
            if !blocking.isEmpty && inclusion == nil {
                excluded.append(.init(caseId: caseId, institution: institution, caseHash: caseHash, reason: .auditErrors, checks: blocking,
                                      duplicateOf: nil))
                files.append((caseId, location, .excluded))
                continue
            }
            kept.append(.init(caseId: caseId, institution: institution, formatVersion: audit.formatVersion, planType: audit.planType,
                              ptv70VolumeCC: audit.ptv70VolumeCC, auditStatus: audit.status.rawValue, caseHash: caseHash,
                              arrays: audit.arrays, metadataHash: audit.metadataHash, inclusion: inclusion))
            files.append((caseId, location, .kept))
        }
        if case let .map(path, _) = institutions, !missingInstitutions.isEmpty {
            throw LineageError.institutionsMissing(caseIds: missingInstitutions.sorted(), map: path)
        }
        guard !representatives.isEmpty else { throw LineageError.nothingToFreeze }
        // A version of nothing would pin nothing, and every later step would refuse it.
        guard !kept.isEmpty else {
            throw LineageError.nothingKept(audited: representatives.count,
                                           excluded: Dictionary(grouping: excluded, by: \.reason.rawValue).mapValues(\.count))
        }
        let unused = inclusions.keys.filter { byId[$0] == nil }.sorted()
        return Result(identity: .init(cases: kept, excluded: excluded, auditDigest: try AuditIdentity.digest(of: report)), files: files,
                      unusedInclusions: unused)
    }

    /// The id a file claims: `metadata.case_id`, else its file name; an unreadable file has only its name.
    private func caseId(of audit: CaseAudit) -> String {
        audit.caseId ?? DoseCase.identify(path: audit.file, metadata: nil).caseId
    }
}

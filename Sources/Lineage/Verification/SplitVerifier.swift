/// `split verify NAME` (and `verify`, for every split): each revision's record hash, the parent
/// chain (each revision names its parent's hash and keeps every one of its assignments), and every
/// case hash against the dataset version the revision splits.
public enum SplitVerifier {
    /// The findings for one split's revisions, and how many records were checked. The caller holds the lock.
    public static func verify(name: String, in workspace: Workspace) -> (records: Int, findings: [VerificationFinding]) {
        let revisions = SplitRevision.catalog(of: workspace)[name] ?? []
        let datasets = DatasetRevision.catalog(of: workspace).versions
        var findings: [VerificationFinding] = []
        var previous: SplitRevision?
        for number in revisions {
            let file = SplitRevision.fileName(name: name, revision: number)
            let stored: SplitRevision
            do {
                stored = try SplitRevision.read(name: name, revision: number, from: workspace)
            } catch {
                findings.append(.init(kind: .recordUnreadable, record: file, message: "\(error)"))
                previous = nil
                continue
            }
            if let tampering = VerificationFinding.tampering(of: stored.envelope, in: file) { findings.append(tampering) }
            findings += checkParent(stored, previous: previous, file: file)
            if let versions = datasets[stored.identity.dataset], let latest = versions.last {
                findings += checkCases(stored, against: latest, file: file, in: workspace)
            } else {
                findings.append(.init(kind: .unknownVersion, record: file,
                                      message: "\(file) splits \(stored.identity.dataset), which the workspace does not hold"))
            }
            previous = stored
        }
        return (revisions.count, findings)
    }

    private static func checkParent(_ stored: SplitRevision, previous: SplitRevision?, file: String) -> [VerificationFinding] {
        guard let parent = stored.identity.parent else {
            return stored.revision == 1 ? [] : [.init(kind: .splitMismatch, record: file, message: "\(file) is revision \(stored.revision) but names no parent")]
        }
        guard let previous, parent.revision == previous.revision, parent.revision == stored.revision - 1 else {
            return [.init(kind: .unknownVersion, record: file, message: "\(file) names parent \(stored.name)@\(parent.revision), which the workspace does not hold")]
        }
        var findings: [VerificationFinding] = []
        if parent.hash != previous.envelope.storedHash || previous.envelope.computedHash != previous.envelope.storedHash {
            findings.append(.init(kind: .splitMismatch, record: file,
                                  message: "\(file) names parent hash \(parent.hash.prefix(16))…, but \(previous.reference) hashes to \(previous.envelope.computedHash.prefix(16))…"))
        }
        let now = Dictionary(stored.identity.cases.map { ($0.caseId, $0) }, uniquingKeysWith: { first, _ in first })
        for old in previous.identity.cases {
            guard let current = now[old.caseId] else {
                findings.append(.init(kind: .splitMismatch, record: file, caseId: old.caseId, message: "\(old.caseId) was in \(previous.reference) and is gone from \(stored.reference)"))
                continue
            }
            if current.role != old.role || current.fold != old.fold || current.caseHash != old.caseHash {
                findings.append(.init(kind: .splitMismatch, record: file, caseId: old.caseId,
                                      message: "\(old.caseId) moved: \(old.role.rawValue) in \(previous.reference), \(current.role.rawValue) in \(stored.reference)"))
            }
        }
        return findings
    }

    private static func checkCases(_ stored: SplitRevision, against datasetRevision: Int, file: String, in workspace: Workspace) -> [VerificationFinding] {
        guard let dataset = try? DatasetRevision.read(id: stored.identity.dataset, revision: datasetRevision, from: workspace) else {
            return [.init(kind: .recordUnreadable, record: file, message: "\(file): its dataset version \(stored.identity.dataset) cannot be read")]
        }
        var findings = PinnedSelection.assignmentProblems(of: stored, against: dataset).map { problem in
            VerificationFinding(kind: .splitMismatch, record: file, caseId: problem.caseId, message: problem.description)
        }
        let hashes = Dictionary(dataset.identity.cases.map { ($0.caseId, $0.caseHash) }, uniquingKeysWith: { first, _ in first })
        let split = Set(stored.identity.cases.map(\.caseId))
        for caseId in hashes.keys.sorted() where !split.contains(caseId) {
            findings.append(.init(kind: .splitMismatch, record: file, caseId: caseId, message: "\(caseId) of \(dataset.id) has no place in \(stored.reference)"))
        }
        return findings
    }
}

import Support
import Audit
import DoseCase
import Foundation

/// `verify`: proves the workspace still says what it said. Every record's identity is re-hashed
/// against its stored hash and name; every dataset version's latest revision has each kept case
/// re-hashed (through the hash cache when the file is unchanged, unless `deep`); each audit report
/// bound to a version must still give the audit digest the version's identity pins, and be the
/// bytes written; no record may name a version the workspace lacks. A workspace that cannot be
/// written (an archive copy, a read-only mount) is verified as it stands, writing nothing.
public enum WorkspaceVerifier {
    /// Renders an audit report as JUnit XML (`AuditJUnitXML.render`, in a module above this one).
    public typealias JUnitRenderer = @Sendable (AuditReport) throws -> [UInt8]

    /// `renderJUnit`, when given, re-derives each version's JUnit XML from its (intact) audit
    /// report; without it the XML's bytes are compared with the SHA-256 the context recorded.
    public static func verify(_ workspace: Workspace, deep: Bool, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                              renderJUnit: JUnitRenderer? = nil,
                              progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async throws -> VerificationReport {
        let access = try workspace.lockForReading()
        defer { withExtendedLifetime(access) {} }
        var findings: [VerificationFinding] = access.unfinishedCommits.map { commit in
            VerificationFinding(kind: .commitUnfinished, record: commit.journal, message: """
                \(commit.journal): a commit interrupted by a crash has not published \(commit.records.joined(separator: ", ")) yet, \
                and this workspace cannot be written; run dosecurate on it with write access to finish the commit
                """)
        }
        var records = 0

        let catalog = DatasetRevision.catalog(of: workspace)
        for file in catalog.unrecognised {
            findings.append(.init(kind: .recordUnreadable, record: file, message: "\(file) is not named dsv-<16 hex digits>@<revision>.json"))
        }
        var latest: [DatasetRevision] = []
        for (id, revisions) in catalog.versions.sorted(by: { $0.key < $1.key }) {
            var newest: DatasetRevision?
            for revision in revisions {
                records += 1
                let name = DatasetRevision.fileName(id: id, revision: revision)
                do {
                    let stored = try DatasetRevision.read(id: id, revision: revision, from: workspace)
                    findings += checkHash(stored, name: name)
                    findings += checkParent(stored, name: name, catalog: catalog.versions)
                    findings += checkAudit(stored, name: name, in: workspace, renderJUnit: renderJUnit)
                    newest = stored
                } catch {
                    findings.append(.init(kind: .recordUnreadable, record: name, message: "\(error)"))
                }
            }
            if let newest { latest.append(newest) }
        }
        findings += orphanAudits(in: workspace, versions: catalog.versions)
        let (otherRecords, otherFindings) = referencingRecords(in: workspace, versions: catalog.versions)
        records += otherRecords
        findings += otherFindings

        // A deep pass replaces what the hash cache holds for the files it re-reads, so a wrong entry
        // cannot keep reporting drift; a workspace that cannot be written keeps its cache as it is.
        let cache: Auditor.HashCacheUse = switch (deep, access.isReadOnly) {
        case (true, true): .none
        case (true, false): .refresh(cacheDirectory: workspace.cacheDirectory)
        case (false, true): .readOnly(cacheDirectory: workspace.cacheDirectory)
        case (false, false): .use(cacheDirectory: workspace.cacheDirectory)
        }
        let (cases, caseFindings) = await rehash(latest, in: workspace, cache: cache, workers: workers, progress: progress)
        findings += caseFindings
        return VerificationReport(records: records, versions: catalog.versions.count, cases: cases, deep: deep, readOnly: access.isReadOnly,
                                  findings: findings)
    }

    private static func checkHash(_ stored: DatasetRevision, name: String) -> [VerificationFinding] {
        if let tampering = VerificationFinding.tampering(of: stored.envelope, in: name) { return [tampering] }
        let computed = stored.envelope.computedHash
        if "dsv-" + computed.prefix(16) != stored.id {
            return [.init(kind: .recordTampered, record: name,
                          message: "\(name): its identity hashes to dsv-\(computed.prefix(16)), not to the id in its name")]
        }
        return []
    }

    private static func checkParent(_ stored: DatasetRevision, name: String, catalog: [String: [Int]]) -> [VerificationFinding] {
        guard let parent = stored.dataset.context.parent else {
            return stored.revision == 1 ? [] : [.init(kind: .unknownVersion, record: name, message: "\(name) is revision \(stored.revision) but names no parent")]
        }
        // A parent names one revision (`dsv-…@k`), never "the latest".
        guard parent.contains("@"), RecordRevisions.resolve(parent, in: catalog)?.name == stored.id else {
            return [.init(kind: .unknownVersion, record: name, message: "\(name) names parent \(parent), which the workspace does not hold")]
        }
        return []
    }

    /// The audit bound to a version: the report must give the audit digest the version's identity
    /// pins (re-derived from the file, so rewriting the context's SHA-256 cannot hide an edit) and be
    /// the bytes written; the JUnit XML must render that report (or, without a renderer, be the bytes
    /// written). One finding per file.
    private static func checkAudit(_ stored: DatasetRevision, name: String, in workspace: Workspace,
                                   renderJUnit: JUnitRenderer?) -> [VerificationFinding] {
        let audit = stored.dataset.context.audit
        var findings: [VerificationFinding] = []
        func changed(_ file: String, _ message: String) {
            findings.append(.init(kind: .auditChanged, record: name, path: file, message: "\(file), the audit of \(stored.reference), \(message)"))
        }
        var intactReport: [UInt8]?
        if let bytes = try? workspace.read(audit.report) {
            do {
                let digest = try AuditIdentity.digest(ofReport: bytes, path: audit.report)
                if digest != stored.identity.auditDigest {
                    changed(audit.report, """
                        no longer holds the audit the version was frozen with: its audit identity hashes to \(digest.prefix(16))…, \
                        the version's identity pins \(stored.identity.auditDigest.prefix(16))… (a case, finding, measured value, \
                        check or threshold was edited)
                        """)
                } else if SHA256Hex.of(bytes) != audit.reportSHA256 {
                    changed(audit.report, """
                        changed since it was written (sha256 \(audit.reportSHA256.prefix(12))… → \(SHA256Hex.of(bytes).prefix(12))…); \
                        what it asserts is intact, only file names or messages that name files differ
                        """)
                    intactReport = bytes
                } else {
                    intactReport = bytes
                }
            } catch {
                changed(audit.report, "cannot be read as an audit report: \(error)")
            }
        } else {
            changed(audit.report, "is missing")
        }

        guard let junit = try? workspace.read(audit.junit) else {
            changed(audit.junit, "is missing")
            return findings
        }
        if let renderJUnit, let intactReport {
            let rendered = try? renderJUnit(JSONDecoder().decode(AuditReport.self, from: Data(intactReport)))
            if rendered != junit { changed(audit.junit, "is not the JUnit XML of \(audit.report)") }
        } else if SHA256Hex.of(junit) != audit.junitSHA256 {
            changed(audit.junit, "changed since it was written (sha256 \(audit.junitSHA256.prefix(12))… → \(SHA256Hex.of(junit).prefix(12))…)")
        }
        return findings
    }

    /// Audit files whose version has no manifest.
    private static func orphanAudits(in workspace: Workspace, versions: [String: [Int]]) -> [VerificationFinding] {
        workspace.files(in: "audits").compactMap { file in
            guard file != ".gitkeep" else { return nil }
            let id = file.hasSuffix(".junit.xml") ? String(file.dropLast(10)) : file.hasSuffix(".json") ? String(file.dropLast(5)) : file
            guard versions[id] == nil else { return nil }
            return .init(kind: .unknownVersion, record: "audits/\(file)", message: "audits/\(file) is bound to \(id), which the workspace does not hold")
        }
    }

    /// Splits (see `SplitVerifier`), runs, evaluations and comparisons: each must be intact and may
    /// name only versions (and evaluations) that exist. Folders under `evaluations/` hold gamma
    /// maps, checked through the record that lists them.
    private static func referencingRecords(in workspace: Workspace, versions: [String: [Int]]) -> (Int, [VerificationFinding]) {
        var findings = SplitRevision.unrecognisedFiles(in: workspace).map { file in
            VerificationFinding(kind: .recordUnreadable, record: file, message: "\(file) is not named <split>@<revision>.json")
        }
        var count = 0
        for name in SplitRevision.catalog(of: workspace).keys.sorted() {
            let (records, splitFindings) = SplitVerifier.verify(name: name, in: workspace)
            count += records
            findings += splitFindings
        }
        for file in workspace.files(in: "evaluations") where !workspace.isFolder("evaluations/\(file)") {
            count += 1
            findings += checkFlatRecord("evaluations/\(file)", in: workspace, versions: versions)
        }
        for file in workspace.files(in: "comparisons") where !workspace.isFolder("comparisons/\(file)") {
            count += 1
            findings += checkComparison("comparisons/\(file)", in: workspace, versions: versions)
        }
        for run in workspace.files(in: RunFiles.folder) {
            for file in workspace.files(in: RunFiles.directory(run)) where RunFiles.isRecordName(file) {
                count += 1
                findings += checkRunRecord("\(RunFiles.directory(run))/\(file)", in: workspace, versions: versions)
            }
        }
        return (count, findings)
    }

    /// A run folder's record. A `dosecurate/run…/2` record must be intact, name only versions and
    /// split revisions the workspace holds, and (a result) list artifacts that are still the bytes
    /// it hashed; a record written before run records had an identity (`…/1`) is checked for the
    /// versions it names only.
    private static func checkRunRecord(_ name: String, in workspace: Workspace, versions: [String: [Int]]) -> [VerificationFinding] {
        guard let bytes = try? workspace.read(name), let value = try? JSONValue.parse(bytes),
              let schema = value["schema"]?.stringValue, schema.hasPrefix("dosecurate/run") else {
            return [.init(kind: .recordUnreadable, record: name, message: "\(name) is not a dosecurate run record")]
        }
        guard !schema.hasSuffix("/1") else { return unknownVersions(in: value, record: name, versions: versions) }
        guard let record = try? FlatRecord.read(bytes, path: name) else {
            return [.init(kind: .recordUnreadable, record: name, message: "\(name) is not a \(schema) record (no hash or context)")]
        }
        if let tampering = tampering(of: record, in: name) { return [tampering] }
        var findings = unknownVersions(in: record.identity, record: name, versions: versions)
        findings += splitMismatch(record.identity["split"], record: name, in: workspace)
        if let artifacts = RunResult.artifacts(in: record.identity) {
            let folder = String(name.dropLast("/result.json".count))
            findings += artifacts.compactMap { checkArtifact($0, folder: folder, record: name, in: workspace) }
        }
        return findings
    }

    /// One artifact a result lists, re-hashed.
    private static func checkArtifact(_ artifact: RunArtifact, folder: String, record: String, in workspace: Workspace) -> VerificationFinding? {
        guard RunArtifact.isContained(artifact.path) else {
            return .init(kind: .recordTampered, record: record, path: artifact.path,
                         message: "\(record) lists \(artifact.path), which is not a path inside its run folder")
        }
        let path = "\(folder)/\(artifact.path)"
        guard workspace.exists(path) else {
            return .init(kind: .artifactMissing, record: record, path: path, message: "\(path), an artifact of \(folder), is missing")
        }
        guard let (bytes, sha256) = try? RunArtifact.hash(workspace.file(path)) else {
            return .init(kind: .artifactChanged, record: record, path: path, message: "\(path), an artifact of \(folder), cannot be read")
        }
        guard bytes == artifact.bytes, sha256 == artifact.sha256 else {
            return .init(kind: .artifactChanged, record: record, path: path, message: """
                \(path) changed since \(record) was written (\(artifact.bytes) bytes, sha256 \(artifact.sha256.prefix(12))… → \
                \(bytes) bytes, sha256 \(sha256.prefix(12))…)
                """)
        }
        return nil
    }

    /// An evaluation record (`FlatRecord`): intact, named after its hash, naming only versions
    /// and split revisions the workspace holds, with the split's hash as recorded, and with the
    /// gamma maps it lists still the bytes it hashed.
    private static func checkFlatRecord(_ name: String, in workspace: Workspace, versions: [String: [Int]]) -> [VerificationFinding] {
        let (read, initial) = intactFlatRecord(name, folder: "evaluations", in: workspace)
        guard let record = read else { return initial }
        var findings = initial
        findings += unknownVersions(in: record.identity, record: name, versions: versions)
        findings += splitMismatch(record.identity["settings"]?["split"], record: name, in: workspace)
        findings += unknownRun(record.identity["model"], record: name, in: workspace)
        findings += checkGammaMaps(of: record, name: name, in: workspace)
        return findings
    }

    /// A flat record read from `name`: nil with one finding when unreadable or edited; else the
    /// record, with a finding when its file is not named after its hash in `folder`.
    private static func intactFlatRecord(_ name: String, folder: String, in workspace: Workspace) -> (FlatRecord?, [VerificationFinding]) {
        guard name.hasSuffix(".json"), let bytes = try? workspace.read(name), let record = try? FlatRecord.read(bytes, path: name) else {
            return (nil, [.init(kind: .recordUnreadable, record: name, message: "\(name) is not a dosecurate record")])
        }
        if let tampering = tampering(of: record, in: name) { return (nil, [tampering]) }
        guard name == "\(folder)/\(record.storedHash.prefix(16)).json" else {
            return (record, [.init(kind: .recordTampered, record: name, message: "\(name) is not named after its hash \(record.storedHash.prefix(16))…")])
        }
        return (record, [])
    }

    /// The gamma maps an evaluation's context lists (`evaluate --save-gamma`), re-hashed. They are
    /// context, not identity (their folder is named after the hash), so a path outside the record's
    /// own `evaluations/<hash>/gamma/` is not followed.
    private static func checkGammaMaps(of record: FlatRecord, name: String, in workspace: Workspace) -> [VerificationFinding] {
        guard let listed = record.context["gammaMaps"] else { return [] }
        guard let entries = listed.arrayValue else {
            return [.init(kind: .recordUnreadable, record: name, message: "\(name): its context's gammaMaps is not a list")]
        }
        let folder = "evaluations/\(record.storedHash.prefix(16))/gamma/"
        return entries.compactMap { entry -> VerificationFinding? in
            guard let path = entry["path"]?.stringValue, let sha256 = entry["sha256"]?.stringValue else {
                return .init(kind: .recordUnreadable, record: name, message: "\(name) lists a gamma map without a path and a sha256")
            }
            let caseId = entry["caseId"]?.stringValue
            guard path.hasPrefix(folder), RunArtifact.isContained(path) else {
                return .init(kind: .recordTampered, record: name, caseId: caseId, path: path,
                             message: "\(name) lists gamma map \(path), which is not a file under \(folder)")
            }
            guard workspace.exists(path) else {
                return .init(kind: .artifactMissing, record: name, caseId: caseId, path: path, message: "\(path), a gamma map of \(name), is missing")
            }
            guard let found = try? RunArtifact.hash(workspace.file(path)).sha256 else {
                return .init(kind: .artifactChanged, record: name, caseId: caseId, path: path, message: "\(path), a gamma map of \(name), cannot be read")
            }
            guard found == sha256 else {
                return .init(kind: .artifactChanged, record: name, caseId: caseId, path: path,
                             message: "\(path) changed since \(name) was written (sha256 \(sha256.prefix(12))… → \(found.prefix(12))…)")
            }
            return nil
        }
    }

    /// A comparison record (`compare --record`): intact, named after its hash, and every evaluation
    /// it compares held in `evaluations/` with the hash it names.
    private static func checkComparison(_ name: String, in workspace: Workspace, versions: [String: [Int]]) -> [VerificationFinding] {
        let (read, initial) = intactFlatRecord(name, folder: "comparisons", in: workspace)
        guard let record = read else { return initial }
        var findings = initial
        guard record.schema?.hasPrefix("dosecurate/comparison/") == true else {
            return findings + [.init(kind: .recordUnreadable, record: name, message: "\(name) is not a comparison record (schema \(record.schema ?? "none"))")]
        }
        findings += unknownVersions(in: record.identity, record: name, versions: versions)
        for side in ["a", "b"] {
            for reference in record.identity[side]?.arrayValue ?? [] {
                guard let hash = reference["hash"]?.stringValue else {
                    findings.append(.init(kind: .recordUnreadable, record: name, message: "\(name) names an evaluation without a hash on side \(side.uppercased())"))
                    continue
                }
                let evaluation = "evaluations/\(hash.prefix(16)).json"
                let stored = (try? workspace.read(evaluation)).flatMap { try? FlatRecord.read($0, path: evaluation) }
                if stored?.storedHash != hash {
                    findings.append(.init(kind: .unknownEvaluation, record: name, path: evaluation, message: """
                        \(name) compares evaluation \(hash.prefix(16))… (side \(side.uppercased())), which the workspace does not hold \
                        (no \(evaluation) with that hash)
                        """))
                }
            }
        }
        return findings
    }

    /// An evaluation's `model`: its run must be in the workspace, and its weights among the files
    /// that run's result lists (when it lists any).
    private static func unknownRun(_ model: JSONValue?, record name: String, in workspace: Workspace) -> [VerificationFinding] {
        guard let run = model?["run"]?.stringValue else { return [] }
        guard RunFiles.isRunId(run), workspace.exists(RunFiles.record(run)) else {
            return [.init(kind: .unknownRun, record: name, message: "\(name) names run \(run), which the workspace does not hold")]
        }
        guard let weights = model?["weightsSHA256"]?.stringValue, workspace.exists(RunFiles.result(run)),
              let listed = (try? RunFiles.read(RunFiles.result(run), in: workspace)).flatMap(RunResult.artifacts(in:)),
              !listed.contains(where: { $0.sha256 == weights }) else { return [] }
        return [.init(kind: .unknownRun, record: name,
                      message: "\(name) names weights sha256 \(weights.prefix(12))… of run \(run), whose result lists no such file")]
    }

    private static func tampering(of record: FlatRecord, in name: String) -> VerificationFinding? {
        guard record.computedHash != record.storedHash else { return nil }
        return .init(kind: .recordTampered, record: name,
                     message: "\(name): its content hashes to \(record.computedHash.prefix(16))…, the record says \(record.storedHash.prefix(16))…: it was edited after it was written")
    }

    private static func unknownVersions(in value: JSONValue, record name: String, versions: [String: [Int]]) -> [VerificationFinding] {
        versionReferences(in: value).filter { RecordRevisions.resolve($0, in: versions) == nil }.map { reference in
            .init(kind: .unknownVersion, record: name, message: "\(name) names \(reference), which the workspace does not hold")
        }
    }

    /// A record's `{name, revision, hash}` split must be a revision the workspace holds with that hash.
    private static func splitMismatch(_ split: JSONValue?, record name: String, in workspace: Workspace) -> [VerificationFinding] {
        guard let split, let splitName = split["name"]?.stringValue, let revision = split["revision"]?.intValue else { return [] }
        let stored = try? SplitRevision.read(name: splitName, revision: revision, from: workspace)
        guard stored?.envelope.storedHash != split["hash"]?.stringValue else { return [] }
        return [.init(kind: .splitMismatch, record: name,
                      message: "\(name) was made on split \(splitName)@\(revision), which the workspace does not hold with the recorded hash")]
    }

    /// Every string in `value` that spells a dataset version (`dsv-…` or `dsv-…@k`).
    private static func versionReferences(in value: JSONValue) -> [String] {
        switch value {
        case let .string(text):
            let id = text.split(separator: "@", maxSplits: 1).first.map(String.init) ?? text
            return DatasetRevision.isVersionId(id) ? [text] : []
        case let .array(items): return items.flatMap(versionReferences)
        case let .object(members): return members.values.flatMap(versionReferences)
        default: return []
        }
    }

    /// Re-hashes every kept case of each version's latest revision.
    private static func rehash(_ revisions: [DatasetRevision], in workspace: Workspace, cache: Auditor.HashCacheUse, workers: Int,
                               progress: @escaping @Sendable (AuditProgress) -> Void) async -> (Int, [VerificationFinding]) {
        var findings: [VerificationFinding] = []
        var wanted: [(revision: DatasetRevision, expected: CaseFileCheck.Expected)] = []
        for revision in revisions {
            let paths = revision.dataset.keptPaths
            for entry in revision.dataset.identity.cases {
                guard let path = paths[entry.caseId] else {
                    findings.append(.init(kind: .caseMissing, record: revision.fileName, caseId: entry.caseId,
                                          message: "\(entry.caseId): \(revision.reference) records no file for it"))
                    continue
                }
                wanted.append((revision, .init(caseId: entry.caseId, frozen: entry, recordedPath: path, location: workspace.location(ofRecorded: path))))
            }
        }
        let outcomes = await CaseFileCheck.check(wanted.map(\.expected), cache: cache, workers: workers, progress: progress)
        for (item, outcome) in zip(wanted, outcomes) {
            let record = item.revision.fileName, caseId = item.expected.caseId, path = item.expected.recordedPath
            switch outcome {
            case .intact: continue
            case .missing:
                findings.append(.init(kind: .caseMissing, record: record, caseId: caseId, path: path, message: "\(caseId): \(path) is missing (if the case moved, freeze the new location)"))
            case let .changed(differences):
                findings.append(.init(kind: .caseChanged, record: record, caseId: caseId, path: path,
                                      message: "\(caseId): \(path) changed since \(item.revision.reference) was frozen (\(differences))"))
            case let .unreadable(reason):
                findings.append(.init(kind: .caseUnreadable, record: record, caseId: caseId, path: path, message: "\(caseId): \(path): \(reason)"))
            }
        }
        return (revisions.reduce(0) { $0 + $1.dataset.identity.cases.count }, findings)
    }
}

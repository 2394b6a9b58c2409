/// One stored revision of a dataset version: `datasets/<id>@<revision>.json`.
public struct DatasetRevision: Sendable, Equatable {
    public let id: String
    public let revision: Int
    public let dataset: DatasetVersion
    public let envelope: RecordEnvelope

    public var identity: DatasetVersion.Identity { dataset.identity }

    /// `dsv-…@k`, the name records use to point at this revision.
    public var reference: String { "\(id)@\(revision)" }

    public static func fileName(id: String, revision: Int) -> String { "datasets/\(id)@\(revision).json" }
    public var fileName: String { Self.fileName(id: id, revision: revision) }

    public init(id: String, revision: Int, dataset: DatasetVersion) throws {
        self.id = id
        self.revision = revision
        self.dataset = dataset
        envelope = try RecordEnvelope(schema: DatasetVersion.schemaName, name: id, revision: revision,
                                      identity: dataset.identity, context: dataset.context)
    }

    /// Reads `datasets/<id>@<revision>.json`, checking the envelope names what the file name says.
    /// A hash mismatch is not an error here: `verify` reports it.
    public static func read(id: String, revision: Int, from workspace: Workspace) throws -> DatasetRevision {
        let name = fileName(id: id, revision: revision)
        if let stored = try? RecordEnvelope.read(try workspace.read(name), path: workspace.file(name)),
           stored.schema == "dosecurate/dataset-version/1" {
            throw LineageError.invalidRecord(path: workspace.file(name), reason: """
                schema dosecurate/dataset-version/1 was written before a version's identity pinned its audit \
                (\(DatasetVersion.schemaName)); freeze its cases again to make a version this build can verify
                """)
        }
        let envelope = try RecordEnvelope.read(name, schema: DatasetVersion.schemaName, name: id, revision: revision, from: workspace)
        let (identity, context) = try envelope.decode(DatasetVersion.Identity.self, DatasetVersion.Context.self, path: workspace.file(name))
        return DatasetRevision(id: id, revision: revision, dataset: DatasetVersion(identity: identity, context: context), envelope: envelope)
    }

    private init(id: String, revision: Int, dataset: DatasetVersion, envelope: RecordEnvelope) {
        self.id = id
        self.revision = revision
        self.dataset = dataset
        self.envelope = envelope
    }

    /// Every dataset version in the workspace with its revision numbers, ascending; file names
    /// that do not parse as `dsv-<16 hex>@<k>.json` are listed in `unrecognised`.
    public static func catalog(of workspace: Workspace) -> (versions: [String: [Int]], unrecognised: [String]) {
        let catalog = RecordRevisions.catalog(in: "datasets", of: workspace, isName: isVersionId)
        return (catalog.revisions, catalog.unrecognised)
    }

    /// `reference` with its id part spelled out: `latest` → the version whose first revision was
    /// written last; a prefix of exactly one id → that id; anything else unchanged.
    static func expandingId(in reference: String, versions: [String: [Int]], workspace: Workspace) throws -> String {
        let parts = reference.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts.first ?? "", suffix = parts.count == 2 ? "@" + parts[1] : ""
        if name == "latest" {
            let dated = versions.keys.compactMap { id in
                (try? read(id: id, revision: versions[id]?.first ?? 1, from: workspace)).map { (id: id, createdAt: $0.dataset.context.createdAt) }
            }
            guard let newest = dated.max(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) else {
                throw LineageError.unknownDataset(reference: reference, known: [])
            }
            return newest.id + suffix
        }
        guard versions[name] == nil, name.hasPrefix("dsv-"), name.count > 4 else { return reference }
        let candidates = versions.keys.filter { $0.hasPrefix(name) }.sorted()
        guard candidates.count <= 1 else { throw LineageError.ambiguousDataset(reference: reference, candidates: candidates) }
        return (candidates.first ?? name) + suffix
    }

    public static func isVersionId(_ text: String) -> Bool {
        text.hasPrefix("dsv-") && text.count == 20 && text.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// `dsv-…` (the latest revision) or `dsv-…@k`, where the id may be a unique prefix (`dsv-b62a`)
    /// or `latest`, the version frozen last.
    public static func resolve(_ reference: String, in workspace: Workspace) throws -> DatasetRevision {
        let versions = catalog(of: workspace).versions
        let reference = try expandingId(in: reference, versions: versions, workspace: workspace)
        guard let (id, revision) = RecordRevisions.resolve(reference, in: versions) else {
            let id = String(reference.split(separator: "@").first ?? "")
            let known = versions[id].map { revisions in revisions.map { "\(id)@\($0)" } } ?? versions.keys.sorted()
            throw LineageError.unknownDataset(reference: reference, known: known)
        }
        return try read(id: id, revision: revision, from: workspace)
    }
}

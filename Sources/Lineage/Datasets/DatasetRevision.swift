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
        let path = workspace.file(name)
        let envelope = try RecordEnvelope.read(try workspace.read(name), path: path)
        guard envelope.schema == DatasetVersion.schemaName else {
            throw LineageError.invalidRecord(path: path, reason: "schema \(envelope.schema), expected \(DatasetVersion.schemaName)")
        }
        guard envelope.name == id, envelope.revision == revision else {
            throw LineageError.invalidRecord(path: path, reason: "the file says \(envelope.name)@\(envelope.revision)")
        }
        let (identity, context) = try envelope.decode(DatasetVersion.Identity.self, DatasetVersion.Context.self, path: path)
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
        var versions: [String: [Int]] = [:], unrecognised: [String] = []
        for file in workspace.files(in: "datasets") where file != ".gitkeep" {
            guard file.hasSuffix(".json"), let at = file.lastIndex(of: "@"),
                  let revision = Int(file[file.index(after: at)..<file.index(file.endIndex, offsetBy: -5)]), revision >= 1,
                  isVersionId(String(file[..<at])) else {
                unrecognised.append("datasets/\(file)")
                continue
            }
            versions[String(file[..<at]), default: []].append(revision)
        }
        return (versions.mapValues { $0.sorted() }, unrecognised)
    }

    public static func isVersionId(_ text: String) -> Bool {
        text.hasPrefix("dsv-") && text.count == 20 && text.dropFirst(4).allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}

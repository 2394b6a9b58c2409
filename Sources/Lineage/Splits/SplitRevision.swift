/// One stored revision of a locked split: `splits/<name>@<revision>.json`.
public struct SplitRevision: Sendable, Equatable {
    public let name: String
    public let revision: Int
    public let split: LockedSplit
    public let envelope: RecordEnvelope

    public var identity: LockedSplit.Identity { split.identity }
    /// `NAME@k`.
    public var reference: String { "\(name)@\(revision)" }
    public var fileName: String { Self.fileName(name: name, revision: revision) }

    public static func fileName(name: String, revision: Int) -> String { "splits/\(name)@\(revision).json" }

    init(name: String, revision: Int, split: LockedSplit) throws {
        self.name = name
        self.revision = revision
        self.split = split
        envelope = try RecordEnvelope(schema: LockedSplit.schemaName, name: name, revision: revision, identity: split.identity,
                                      context: split.context)
    }

    private init(name: String, revision: Int, split: LockedSplit, envelope: RecordEnvelope) {
        self.name = name
        self.revision = revision
        self.split = split
        self.envelope = envelope
    }

    public static func read(name: String, revision: Int, from workspace: Workspace) throws -> SplitRevision {
        let file = fileName(name: name, revision: revision)
        let envelope = try RecordEnvelope.read(file, schema: LockedSplit.schemaName, name: name, revision: revision, from: workspace)
        let (identity, context) = try envelope.decode(LockedSplit.Identity.self, LockedSplit.Context.self, path: workspace.file(file))
        return SplitRevision(name: name, revision: revision, split: LockedSplit(identity: identity, context: context), envelope: envelope)
    }

    /// Every split in the workspace with its revision numbers, ascending.
    public static func catalog(of workspace: Workspace) -> [String: [Int]] {
        RecordRevisions.catalog(in: "splits", of: workspace, isName: isName).revisions
    }

    /// Files in `splits/` that are not named `<name>@<revision>.json`.
    public static func unrecognisedFiles(in workspace: Workspace) -> [String] {
        RecordRevisions.catalog(in: "splits", of: workspace, isName: isName).unrecognised
    }

    /// `NAME` (the latest revision) or `NAME@k` (that one).
    public static func resolve(_ reference: String, in workspace: Workspace) throws -> SplitRevision {
        let splits = catalog(of: workspace)
        guard let (name, revision) = RecordRevisions.resolve(reference, in: splits) else {
            let name = String(reference.split(separator: "@").first ?? "")
            let known = splits[name].map { revisions in revisions.map { "\(name)@\($0)" } } ?? splits.keys.sorted()
            throw LineageError.unknownSplit(reference: reference, known: known)
        }
        return try read(name: name, revision: revision, from: workspace)
    }

    /// Split names are file names: letters, digits, `.`, `_`, `-`, not starting with `.`.
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix(".") && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}

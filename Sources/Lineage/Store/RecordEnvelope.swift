import Support

/// The file form every record shares (DESIGN.md, "Identity"): `schema`, a name and revision, the
/// `identity` part with its `hash` (SHA-256 of its canonical JSON), and the unhashed `context`,
/// stored pretty-printed (`JSONValue.prettyUTF8`: sorted keys, two-space indent) so `git diff` and `jq` read it.
public struct RecordEnvelope: Sendable, Equatable {
    public let schema: String
    /// The record's id (`dsv-…` for a dataset version).
    public let name: String
    public let revision: Int
    public let identity: JSONValue
    public let context: JSONValue
    /// As stored in the file; `identity.canonicalSHA256` when the record is intact.
    public let storedHash: String

    public init(schema: String, name: String, revision: Int, identity: some Encodable, context: some Encodable) throws {
        self.schema = schema
        self.name = name
        self.revision = revision
        self.identity = try JSONValue(encoding: identity)
        self.context = try JSONValue(encoding: context)
        storedHash = self.identity.canonicalSHA256
    }

    /// SHA-256 of the canonical JSON of an identity part.
    public static func hash(of identity: some Encodable) throws -> String {
        try JSONValue(encoding: identity).canonicalSHA256
    }

    /// The identity's hash as it stands now.
    public var computedHash: String { identity.canonicalSHA256 }

    public var bytes: [UInt8] {
        JSONValue.object([
            "schema": .string(schema), "name": .string(name), "revision": .int(Int64(revision)), "hash": .string(storedHash),
            "identity": identity, "context": context,
        ]).prettyUTF8
    }

    /// Reads a record file's envelope; `path` names it in errors.
    public static func read(_ bytes: [UInt8], path: String) throws -> RecordEnvelope {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw LineageError.invalidRecord(path: path, reason: .cause(error))
        }
        guard let schema = value["schema"]?.stringValue, let name = value["name"]?.stringValue,
              let revision = value["revision"]?.intValue, let hash = value["hash"]?.stringValue,
              let identity = value["identity"], let context = value["context"] else {
            throw LineageError.invalidRecord(path: path, reason: "expected an object with schema, name, revision, hash, identity and context")
        }
        return RecordEnvelope(schema: schema, name: name, revision: revision, identity: identity, context: context, storedHash: hash)
    }

    /// Reads a workspace record file, checking it is `schema` and names itself `name@revision`
    /// as its file name does.
    public static func read(_ file: String, schema expected: String, name: String, revision: Int,
                            from workspace: Workspace) throws -> RecordEnvelope {
        let path = workspace.file(file)
        let envelope = try read(try workspace.read(file), path: path)
        guard envelope.schema == expected else {
            throw LineageError.invalidRecord(path: path, reason: "schema \(envelope.schema), expected \(expected)")
        }
        guard envelope.name == name, envelope.revision == revision else {
            throw LineageError.invalidRecord(path: path, reason: "the file says \(envelope.name)@\(envelope.revision)")
        }
        return envelope
    }

    private init(schema: String, name: String, revision: Int, identity: JSONValue, context: JSONValue, storedHash: String) {
        self.schema = schema
        self.name = name
        self.revision = revision
        self.identity = identity
        self.context = context
        self.storedHash = storedHash
    }

    /// The identity and context decoded as the record type's parts.
    public func decode<Identity: Decodable, Context: Decodable>(_ identityType: Identity.Type, _ contextType: Context.Type,
                                                                path: String) throws -> (Identity, Context) {
        do {
            return (try identity.decode(identityType), try context.decode(contextType))
        } catch {
            throw LineageError.invalidRecord(path: path, reason: .cause(error, "does not match \(schema)"))
        }
    }
}

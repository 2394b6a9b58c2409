import Support

/// A record written as one JSON object (pretty-printed, hashed over its canonical form) whose identity members sit at top level next to
/// `hash` and `context` — the layout of evaluation records, whose keys the evaluation JSON
/// contract fixes (`schema`, `settings`, `cases`, `aggregate`). `hash` is the SHA-256 of the
/// canonical JSON of every member except `hash` and `context`.
public struct FlatRecord: Sendable, Equatable {
    /// Every member but `hash` and `context`.
    public let identity: JSONValue
    public let context: JSONValue
    public let storedHash: String

    public init(identity: some Encodable, context: some Encodable) throws {
        try self.init(identity: try JSONValue(encoding: identity), context: try JSONValue(encoding: context))
    }

    /// A record built from JSON values (run records, whose parts depend on the engine).
    public init(identity: JSONValue, context: JSONValue) throws {
        guard case .object = identity else { throw LineageError.invalidRecord(path: "<memory>", reason: "a flat record's identity must be an object") }
        self.init(identity: identity, context: context, storedHash: identity.canonicalSHA256)
    }

    public var computedHash: String { identity.canonicalSHA256 }
    public var schema: String? { identity["schema"]?.stringValue }

    /// The stored text: pretty-printed JSON with a final newline.
    public var bytes: [UInt8] {
        guard case var .object(members) = identity else { return [] }
        members["hash"] = .string(storedHash)
        members["context"] = context
        return JSONValue.object(members).prettyUTF8
    }

    /// Reads a record file's parts; `path` names it in errors. The hash is not checked here
    /// (`computedHash` against `storedHash` is the caller's verdict).
    public static func read(_ bytes: [UInt8], path: String) throws -> FlatRecord {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw LineageError.invalidRecord(path: path, reason: .cause(error)) }
        guard case var .object(members) = value, let hash = members.removeValue(forKey: "hash")?.stringValue,
              let context = members.removeValue(forKey: "context"), members["schema"]?.stringValue != nil else {
            throw LineageError.invalidRecord(path: path, reason: "expected an object with 'schema', 'hash' and 'context'")
        }
        return FlatRecord(identity: .object(members), context: context, storedHash: hash)
    }

    private init(identity: JSONValue, context: JSONValue, storedHash: String) {
        self.identity = identity
        self.context = context
        self.storedHash = storedHash
    }
}

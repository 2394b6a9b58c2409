import Foundation
import DoseCase
import NumpyFormat

/// A JSON document as plain data, keeping what a record's hash depends on: integers stay integers
/// (no trip through `Double`), object members keep their keys exactly. Records are hashed and
/// written through this type, so the hash is always that of the text on disk.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The canonical JSON text (DESIGN.md, "Identity"): keys sorted by UTF-8 bytes, no whitespace,
    /// integers as integers, other numbers in their shortest round-trip form, NaN and infinities as
    /// strings. The same rules the metadata hash follows, by the same writer.
    public var canonicalText: String { CanonicalJSON.encode(metadataTree) }

    public var canonicalUTF8: [UInt8] { Array(canonicalText.utf8) }

    /// SHA-256 (hex) of the canonical text.
    public var canonicalSHA256: String { SHA256Hex.of(canonicalUTF8) }

    private var metadataTree: MetadataValue {
        switch self {
        case .null: .none
        case let .bool(flag): .bool(flag)
        case let .int(integer): .int(integer)
        case let .number(number): .float(number)
        case let .string(text): .string(text)
        case let .array(items): .list(items.map(\.metadataTree))
        case let .object(members): .dict(members.map { MetadataEntry(key: .string($0.key), value: $0.value.metadataTree) })
        }
    }

    /// The member `key` of an object; nil for anything else.
    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { members[key] } else { nil }
    }

    public var stringValue: String? {
        if case let .string(text) = self { text } else { nil }
    }

    public var intValue: Int? {
        if case let .int(integer) = self { Int(exactly: integer) } else { nil }
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(items) = self { items } else { nil }
    }
}

// MARK: - Codable bridge

extension JSONValue {
    /// A Codable value as a JSON tree (through Foundation's encoder, then `parse`).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        self = try JSONValue.parse(Array(try encoder.encode(value)))
    }

    /// The tree decoded as `type` (through Foundation's decoder).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(type, from: Data(canonicalUTF8))
    }
}

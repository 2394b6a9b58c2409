import Foundation

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
    public var canonicalText: String {
        var output = ""
        writeCanonical(to: &output)
        return output
    }

    public var canonicalUTF8: [UInt8] { Array(canonicalText.utf8) }

    /// SHA-256 (hex) of the canonical text.
    public var canonicalSHA256: String { SHA256Hex.of(canonicalUTF8) }

    /// The text records are stored as (DESIGN "Identity"): the canonical spellings and key order,
    /// two-space indent, `": "` between key and value, one trailing newline — so a record reviews
    /// well in a diff. Hashes are never taken over it: parse it back and take `canonicalSHA256`.
    public var prettyUTF8: [UInt8] {
        var output = ""
        writePretty(to: &output, indent: "")
        output += "\n"
        return Array(output.utf8)
    }

    private func writePretty(to output: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case let .array(items) where !items.isEmpty:
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                item.writePretty(to: &output, indent: inner)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case let .object(members) where !members.isEmpty:
            output += "{\n"
            let keys = members.keys.sorted(by: CanonicalJSONText.keyPrecedes)
            for (index, key) in keys.enumerated() {
                output += inner
                CanonicalJSONText.writeString(key, to: &output)
                output += ": "
                members[key]?.writePretty(to: &output, indent: inner)
                output += index == keys.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        default:
            writeCanonical(to: &output)
        }
    }

    private func writeCanonical(to output: inout String) {
        switch self {
        case .null: output += "null"
        case let .bool(flag): output += flag ? "true" : "false"
        case let .int(integer): output += String(integer)
        case let .number(number): CanonicalJSONText.writeNumber(number, to: &output)
        case let .string(text): CanonicalJSONText.writeString(text, to: &output)
        case let .array(items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.writeCanonical(to: &output)
            }
            output += "]"
        case let .object(members):
            output += "{"
            for (index, key) in members.keys.sorted(by: CanonicalJSONText.keyPrecedes).enumerated() {
                if index > 0 { output += "," }
                CanonicalJSONText.writeString(key, to: &output)
                output += ":"
                members[key]?.writeCanonical(to: &output)
            }
            output += "}"
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

    /// A number, integer or not.
    public var doubleValue: Double? {
        switch self {
        case let .number(number): number
        case let .int(integer): Double(integer)
        default: nil
        }
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

import Foundation
import Support

/// The one canonical JSON text of a `MetadataValue`, so two tools (or two runs) that read
/// the same metadata produce byte-identical JSON — usable for hashing, diffing and records.
///
/// Rules (each one is mirrored by the independent Python implementation in
/// `Tests/NumpyFormatTests/Fixtures/pickle/make_pickle_fixtures.py`):
/// - UTF-8, no insignificant whitespace.
/// - Objects: keys sorted by their UTF-8 bytes (the same order as Unicode scalar values).
///   Non-string keys become text: int `3` → "3", big int → its digits, float → its number
///   text ("0.5", "NaN", "Infinity", "-Infinity"), `True`/`False` → "true"/"false",
///   `None` → "null", numpy scalar → the text of its value, anything else (a tuple key)
///   → its canonical JSON text. Two keys that become the same text (`1` and `"1"`) are
///   both kept, ordered by their value's JSON text, so no information is dropped silently.
/// - Integers (Python and numpy) as integers; big ints as their decimal digits.
/// - Floats as Python's `repr` prints them (shortest round-trip digits; `1.0`, `1e-05`,
///   `1e+16`), all valid JSON numbers. NaN and ±infinity, which JSON cannot hold, become
///   the strings "NaN", "Infinity", "-Infinity".
/// - `bool`/`numpy.bool_` → true/false; `None` → null.
/// - Tuples → arrays. Sets → arrays sorted by the UTF-8 bytes of each element's JSON text.
/// - bytes → `{"$bytes": "<base64 with padding>"}`.
/// - numpy scalars → their plain value; numpy arrays → nested arrays in C order, like
///   `ndarray.tolist()` (a 0-d array is its single element).
/// - Strings escaped per RFC 8259: `"`, `\`, and control characters below U+0020 (`\b`,
///   `\f`, `\n`, `\r`, `\t` in short form, the rest as `\u00XX` in lowercase hex); `/`
///   and non-ASCII characters are written as they are.
public enum CanonicalJSON {
    public static func encode(_ value: MetadataValue) -> String {
        var output = ""
        write(value, to: &output)
        return output
    }

    public static func encodeUTF8(_ value: MetadataValue) -> [UInt8] {
        Array(encode(value).utf8)
    }

    // MARK: - Pieces reused by `MetadataValue` and by other record writers

    /// The text a dict key becomes in a JSON object (see the type's rules).
    public static func keyText(_ key: MetadataValue) -> String {
        switch key {
        case .string(let text): return text
        case .float(let number): return floatText(number)
        case .numpyScalar(let scalar): return keyText(scalar.value)
        default: return encode(key)
        }
    }

    /// A string literal with RFC 8259 escaping.
    public static func quoted(_ text: String) -> String {
        var output = ""
        CanonicalJSONText.writeString(text, to: &output)
        return output
    }

    /// A float as JSON would carry it, without quotes: Python's repr, or "NaN",
    /// "Infinity", "-Infinity".
    public static func floatText(_ number: Double) -> String { CanonicalJSONText.floatText(number) }

    // MARK: - Writer

    private static func write(_ value: MetadataValue, to output: inout String) {
        switch value {
        case .none:
            output += "null"
        case .bool(let flag):
            output += flag ? "true" : "false"
        case .int(let integer):
            output += String(integer)
        case .bigInt(let digits):
            // The decoder only produces canonical digits; a hand-built malformed value is
            // written as a string rather than as invalid JSON.
            if isDecimalInteger(digits) { output += digits } else { CanonicalJSONText.writeString(digits, to: &output) }
        case .float(let number):
            CanonicalJSONText.writeNumber(number, to: &output)
        case .string(let text):
            CanonicalJSONText.writeString(text, to: &output)
        case .bytes(let bytes):
            output += "{\"$bytes\":\""
            output += Data(bytes).base64EncodedString()
            output += "\"}"
        case .list(let items), .tuple(let items):
            writeArray(items, to: &output)
        case .set(let items):
            let texts = items.map(encode).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            output += "["
            output += texts.joined(separator: ",")
            output += "]"
        case .dict(let entries):
            writeObject(entries, to: &output)
        case .numpyScalar(let scalar):
            write(scalar.value, to: &output)
        case .numpyArray(let array):
            writeNested(array.elementsInCOrder()[...], shape: array.shape[...], to: &output)
        }
    }

    private static func writeArray(_ items: [MetadataValue], to output: inout String) {
        output += "["
        for (index, item) in items.enumerated() {
            if index > 0 { output += "," }
            write(item, to: &output)
        }
        output += "]"
    }

    private static func writeObject(_ entries: [MetadataEntry], to output: inout String) {
        let members = entries
            .map { (key: keyText($0.key), value: encode($0.value)) }
            .sorted { lhs, rhs in
                if !lhs.key.utf8.elementsEqual(rhs.key.utf8) { return CanonicalJSONText.keyPrecedes(lhs.key, rhs.key) }
                return lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
            }
        output += "{"
        for (index, member) in members.enumerated() {
            if index > 0 { output += "," }
            CanonicalJSONText.writeString(member.key, to: &output)
            output += ":"
            output += member.value
        }
        output += "}"
    }

    /// `tolist()` nesting: the first axis is the outermost array.
    private static func writeNested(_ elements: ArraySlice<MetadataValue>, shape: ArraySlice<Int>, to output: inout String) {
        guard let dimension = shape.first else {
            write(elements.first ?? .none, to: &output)
            return
        }
        guard dimension > 0 else {
            output += "[]"
            return
        }
        let inner = shape.dropFirst()
        // By division, not by multiplying the inner shape: with a zero dimension further
        // out, the inner product of a valid empty array may not fit in Int.
        let chunk = elements.count / dimension
        output += "["
        for index in 0..<dimension {
            if index > 0 { output += "," }
            let start = elements.startIndex + index * chunk
            writeNested(elements[start..<start + chunk], shape: inner, to: &output)
        }
        output += "]"
    }

    private static func isDecimalInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}

extension MetadataValue {
    /// This value's canonical JSON text; see `CanonicalJSON` for the rules.
    public func canonicalJSON() -> String {
        CanonicalJSON.encode(self)
    }

    /// The canonical JSON as UTF-8 bytes, for hashing and writing to disk.
    public func canonicalJSONData() -> Data {
        Data(CanonicalJSON.encode(self).utf8)
    }
}

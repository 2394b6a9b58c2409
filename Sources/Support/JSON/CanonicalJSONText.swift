/// The scalar spellings of canonical JSON (DESIGN "Identity"), shared by every canonical writer:
/// records (`JSONValue`) and case metadata (NumpyFormat's `CanonicalJSON`), so the two can never
/// disagree on how a string or a number is written.
public enum CanonicalJSONText {
    /// A float as JSON carries it: Python's repr when finite, else the string "NaN", "Infinity"
    /// or "-Infinity" (quoted: JSON has no literal for them).
    public static func writeNumber(_ number: Double, to output: inout String) {
        if number.isFinite { output += PythonFloatText.repr(number) } else { writeString(floatText(number), to: &output) }
    }

    /// A float's text without quotes: Python's repr, or "NaN", "Infinity", "-Infinity".
    public static func floatText(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return PythonFloatText.repr(number)
    }

    /// A string literal with RFC 8259 escaping: `"`, `\` and control characters below U+0020
    /// (`\b`, `\f`, `\n`, `\r`, `\t` in short form, the rest as `\u00XX` in lowercase hex); `/` and
    /// non-ASCII characters as they are.
    ///
    /// Copies each run of bytes that needs no escape whole: metadata strings can be tens of MB,
    /// and appending them scalar by scalar took seconds. Escaped bytes are ASCII, so every run
    /// starts and ends on a scalar boundary.
    public static func writeString(_ text: String, to output: inout String) {
        output += "\""
        let utf8 = text.utf8
        var runStart = utf8.startIndex, index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                output += Substring(utf8[runStart..<index])
                output += escaped(byte)
                runStart = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        output += Substring(utf8[runStart..<index])
        output += "\""
    }

    /// Object keys in canonical order: by UTF-8 bytes, never Swift's `<`, which compares
    /// canonically-equivalent strings as equal and orders by normalised form.
    public static func keyPrecedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }

    private static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "\""): return "\\\""
        case UInt8(ascii: "\\"): return "\\\\"
        case 0x08: return "\\b"
        case 0x0C: return "\\f"
        case UInt8(ascii: "\n"): return "\\n"
        case UInt8(ascii: "\r"): return "\\r"
        case UInt8(ascii: "\t"): return "\\t"
        default:
            let hex = String(byte, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}

/// The text arguments of protocol 0/1 opcodes (INT, LONG, FLOAT, STRING, UNICODE, GET,
/// PUT). Python 2-era pickles still use them, and reading them is cheap, so the decoder
/// accepts them; every parser returns nil on malformed text instead of trapping.
enum PythonTextLiterals {
    /// INT's argument: "I01"/"I00" are protocol 0's True/False; anything else an integer.
    static func intValue(_ line: ArraySlice<UInt8>) -> MetadataValue? {
        guard let text = asciiText(line) else { return nil }
        if text == "01" { return .bool(true) }
        if text == "00" { return .bool(false) }
        return PythonIntegerBytes.value(ofDecimal: text)
    }

    /// LONG's argument, with Python 2's optional trailing "L".
    static func longValue(_ line: ArraySlice<UInt8>) -> MetadataValue? {
        guard var text = asciiText(line) else { return nil }
        if text.hasSuffix("L") { text.removeLast() }
        return PythonIntegerBytes.value(ofDecimal: text)
    }

    /// FLOAT's argument: Python's `repr` of a float, including "nan" and "inf".
    static func floatValue(_ line: ArraySlice<UInt8>) -> Double? {
        guard let text = asciiText(line), !text.isEmpty else { return nil }
        return Double(text)
    }

    /// A memo index of GET/PUT.
    static func memoIndex(_ line: ArraySlice<UInt8>) -> UInt64? {
        guard let text = asciiText(line) else { return nil }
        return UInt64(text)
    }

    /// STRING's argument: a Python 2 `repr` of a byte string, quoted with ' or ", with
    /// backslash escapes (`codecs.escape_decode`).
    static func quotedBytes(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        guard line.count >= 2, let first = line.first, let last = line.last,
              first == last, first == UInt8(ascii: "'") || first == UInt8(ascii: "\"")
        else { return nil }
        let body = Array(line.dropFirst().dropLast())
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var index = 0
        while index < body.count {
            let byte = body[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                continue
            }
            guard index < body.count else { return nil }  // a lone trailing backslash
            let escape = body[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\n"): break
            case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): output.append(escape)
            case UInt8(ascii: "a"): output.append(0x07)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "v"): output.append(0x0B)
            case UInt8(ascii: "x"):
                guard index + 2 <= body.count, let high = hexValue(body[index]), let low = hexValue(body[index + 1]) else { return nil }
                output.append(high << 4 | low)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < body.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(body[index]) {
                    value = value * 8 + Int(body[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                output.append(UInt8(truncatingIfNeeded: value))
            default:
                // Python keeps unknown escapes verbatim.
                output.append(UInt8(ascii: "\\"))
                output.append(escape)
            }
        }
        return output
    }

    /// UNICODE's argument, `raw-unicode-escape`: bytes are Latin-1 characters except
    /// `\uXXXX` and `\UXXXXXXXX` after an odd run of backslashes.
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>) -> String? {
        let bytes = Array(line)
        var scalars = String.UnicodeScalarView()
        var index = 0
        var backslashRun = 0
        while index < bytes.count {
            let byte = bytes[index]
            if backslashRun % 2 == 1, byte == UInt8(ascii: "u") || byte == UInt8(ascii: "U") {
                let width = byte == UInt8(ascii: "u") ? 4 : 8
                guard index + 1 + width <= bytes.count else { return nil }
                var value: UInt32 = 0
                for hexByte in bytes[(index + 1)...(index + width)] {
                    guard let digit = hexValue(hexByte) else { return nil }
                    value = value << 4 | UInt32(digit)
                }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                scalars.removeLast()  // the backslash that introduced the escape
                scalars.append(scalar)
                index += 1 + width
                backslashRun = 0
                continue
            }
            backslashRun = byte == UInt8(ascii: "\\") ? backslashRun + 1 : 0
            scalars.append(Unicode.Scalar(byte))
            index += 1
        }
        return String(scalars)
    }

    /// Latin-1: each byte is the code point of the same value. This is how numpy reads
    /// Python 2 byte strings (`encoding='latin1'`), and it never fails.
    static func latin1String<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// The inverse of `latin1String`; nil when a character is above U+00FF.
    static func latin1Bytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
    }

    private static func asciiText(_ line: ArraySlice<UInt8>) -> String? {
        guard line.allSatisfy({ $0 < 0x80 }) else { return nil }
        var text = String(decoding: line, as: UTF8.self)
        // Python 2 wrote "\r\n" on some platforms in text mode; tolerate the CR.
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// The Python literals an `.npy` header dict may contain. numpy reads the header with
/// `ast.literal_eval`; dosecurate parses the same subset and evaluates nothing.
indirect enum PythonLiteral: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: PythonLiteral, value: PythonLiteral)])

    // Dict entries are tuples, which cannot synthesise Equatable; the repr identifies a literal.
    static func == (lhs: PythonLiteral, rhs: PythonLiteral) -> Bool { lhs.description == rhs.description }

    var description: String {
        switch self {
        case let .string(value): "'\(value)'"
        case let .int(value): String(value)
        case let .float(value): String(value)
        case let .bool(value): value ? "True" : "False"
        case .none: "None"
        case let .tuple(items): items.count == 1 ? "(\(items[0]),)" : "(" + items.map(\.description).joined(separator: ", ") + ")"
        case let .list(items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case let .dict(entries): "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Recursive-descent parser for `PythonLiteral`, bounded in nesting depth.
enum PythonLiteralParser {
    struct Failure: Error { let message: String }

    static let maximumDepth = 32

    static func parse(_ text: String) throws -> PythonLiteral {
        var cursor = Cursor(scalars: Array(text.unicodeScalars))
        let value = try cursor.value(depth: 0)
        cursor.skipWhitespace()
        guard cursor.atEnd else { throw Failure(message: "unexpected text after the literal at character \(cursor.index)") }
        return value
    }

    private struct Cursor {
        let scalars: [Unicode.Scalar]
        var index = 0

        var atEnd: Bool { index >= scalars.count }
        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func skipWhitespace() {
            while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" { index += 1 }
        }

        mutating func value(depth: Int) throws -> PythonLiteral {
            guard depth < PythonLiteralParser.maximumDepth else { throw Failure(message: "nesting deeper than \(PythonLiteralParser.maximumDepth)") }
            skipWhitespace()
            guard let scalar = current else { throw Failure(message: "unexpected end of header") }
            switch scalar {
            case "{": return try dict(depth: depth)
            case "(": return try sequence(close: ")", depth: depth).tuple
            case "[": return try sequence(close: "]", depth: depth).list
            case "'", "\"": return .string(try string())
            default:
                if scalar == "-" || scalar == "+" || scalar == "." || ("0"..."9").contains(scalar) { return try number() }
                return try word()
            }
        }

        mutating func expect(_ scalar: Unicode.Scalar) throws {
            skipWhitespace()
            guard current == scalar else { throw Failure(message: "expected '\(scalar)' at character \(index)") }
            index += 1
        }

        mutating func dict(depth: Int) throws -> PythonLiteral {
            index += 1
            var entries: [(key: PythonLiteral, value: PythonLiteral)] = []
            while true {
                skipWhitespace()
                if current == "}" { index += 1; return .dict(entries) }
                let key = try value(depth: depth + 1)
                try expect(":")
                let item = try value(depth: depth + 1)
                entries.append((key, item))
                skipWhitespace()
                if current == "," { index += 1; continue }
                try expect("}")
                return .dict(entries)
            }
        }

        mutating func sequence(close: Unicode.Scalar, depth: Int) throws -> (tuple: PythonLiteral, list: PythonLiteral) {
            index += 1
            var items: [PythonLiteral] = []
            var sawComma = false
            while true {
                skipWhitespace()
                if current == close { index += 1; break }
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                if current == "," { index += 1; sawComma = true; continue }
                try expect(close)
                break
            }
            // `(3)` is the integer 3 in Python, not a 1-tuple.
            if close == ")" && items.count == 1 && !sawComma { return (items[0], items[0]) }
            return (.tuple(items), .list(items))
        }

        mutating func string() throws -> String {
            guard let quote = current else { throw Failure(message: "unexpected end of header") }
            index += 1
            var result = String.UnicodeScalarView()
            while let scalar = current {
                index += 1
                if scalar == quote { return String(result) }
                if scalar == "\\" {
                    guard let escaped = current else { break }
                    index += 1
                    switch escaped {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "r": result.append("\r")
                    case "0": result.append("\0")
                    default: result.append(escaped)
                    }
                } else {
                    result.append(scalar)
                }
            }
            throw Failure(message: "unterminated string")
        }

        mutating func number() throws -> PythonLiteral {
            let start = index
            while let scalar = current, scalar == "-" || scalar == "+" || scalar == "." || scalar == "e" || scalar == "E"
                    || scalar == "_" || ("0"..."9").contains(scalar) { index += 1 }
            var text = String(String.UnicodeScalarView(scalars[start..<index])).replacingUnderscores()
            // Python 2 wrote long integers with an `L` suffix (`(3L, 4L)`); numpy still reads them.
            if current == "L" { index += 1 }
            if let value = Int(text) { return .int(value) }
            if text.hasPrefix("+") { text.removeFirst() }
            if let value = Double(text) {
                if value.rounded() == value && !text.contains(".") && !text.lowercased().contains("e") {
                    throw Failure(message: "integer \(text) does not fit in 64 bits")
                }
                return .float(value)
            }
            throw Failure(message: "'\(text)' is not a number")
        }

        mutating func word() throws -> PythonLiteral {
            let start = index
            while let scalar = current, scalar.properties.isAlphabetic || scalar == "_" { index += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<index]))
            switch text {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw Failure(message: text.isEmpty ? "unexpected character at \(start)" : "'\(text)' is not a literal")
            }
        }
    }
}

private extension String {
    func replacingUnderscores() -> String { String(unicodeScalars.filter { $0 != "_" }) }
}

/// Plain terminal tables: columns two spaces apart, indented two spaces.
public enum TextTable {
    /// Left-aligned columns, right-aligned from column `rightAligned` on (numbers).
    public static func lines(header: [String], rows: [[String]], rightAligned: Int = Int.max) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            "  " + row.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column >= rightAligned ? padding + text : text + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

extension String {
    /// A placeholder for an empty cell.
    public func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}

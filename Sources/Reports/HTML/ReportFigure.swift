/// One figure of a report: shown inline in the page, and written beside it as its own SVG (vector,
/// for papers) and, for images, PNG.
public struct ReportFigure: Sendable {
    /// The file stem under `figures/` (`dvh-case_0003`); letters, digits, `-`, `_` and `.` only.
    public let name: String
    public let title: String
    /// What the figure shows and how to read it, in a sentence or two.
    public let caption: String
    public let svg: MarkupElement
    public let png: [UInt8]?

    public init(name: String, title: String, caption: String, svg: MarkupElement, png: [UInt8]? = nil) {
        self.name = String(name.unicodeScalars.map { scalar in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar) ? Character(scalar) : "-"
        })
        self.title = title
        self.caption = caption
        self.svg = svg
        self.png = png
    }

    public var svgFile: String { "figures/\(name).svg" }
    public var pngFile: String? { png == nil ? nil : "figures/\(name).png" }
}

/// A table in a report: a header row, then rows of cells; numbers are formatted by the caller.
public struct ReportTable: Sendable {
    public let caption: String?
    public let header: [String]
    public let rows: [[String]]

    public init(caption: String? = nil, header: [String], rows: [[String]]) {
        self.caption = caption
        self.header = header
        self.rows = rows
    }
}

/// A titled part of a report page.
public struct ReportSection: Sendable {
    public enum Item: Sendable {
        case paragraph(String)
        case table(ReportTable)
        case figure(ReportFigure)
        /// Commands a reader can paste, one per line.
        case commands([String])
    }

    public let title: String
    public var items: [Item]

    public init(title: String, items: [Item]) {
        self.title = title
        self.items = items
    }

    public var figures: [ReportFigure] {
        items.compactMap { item in
            if case let .figure(figure) = item { return figure }
            return nil
        }
    }
}

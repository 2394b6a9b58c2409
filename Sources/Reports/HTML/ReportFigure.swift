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
        self.name = Self.safeName(name)
        self.title = title
        self.caption = caption
        self.svg = svg
        self.png = png
    }

    /// `text` as a file stem and HTML id: ASCII letters, digits, `-`, `_` and `.` kept, anything else `-`.
    public static func safeName(_ text: String) -> String {
        String(text.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar)) ? Character(scalar) : "-"
        })
    }

    public var svgFile: String { "figures/\(name).svg" }
    public var pngFile: String? { png == nil ? nil : "figures/\(name).png" }
}

/// One cell of a report table: its text, and optionally a link (to a figure on the page), a
/// sort key (the number behind a formatted value) and a class for styling (`severity-error`).
public struct ReportCell: Sendable, ExpressibleByStringLiteral {
    public let text: String
    public let link: String?
    public let sortKey: String?
    public let style: String?

    public init(_ text: String, link: String? = nil, sortKey: String? = nil, style: String? = nil) {
        (self.text, self.link, self.sortKey, self.style) = (text, link, sortKey, style)
    }

    public init(stringLiteral text: String) { self.init(text) }
}

/// A table in a report: a header row, then rows of cells; numbers are formatted by the caller.
/// A sortable table sorts by a column when its header is clicked (a few lines of inline script).
public struct ReportTable: Sendable {
    public let caption: String?
    public let header: [String]
    public let rows: [[ReportCell]]
    public let sortable: Bool

    public init(caption: String? = nil, header: [String], cells: [[ReportCell]], sortable: Bool = false) {
        self.caption = caption
        self.header = header
        rows = cells
        self.sortable = sortable
    }

    public init(caption: String? = nil, header: [String], rows: [[String]]) {
        self.init(caption: caption, header: header, cells: rows.map { $0.map { ReportCell($0) } })
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
    /// The section's HTML id, for links into it; nil: numbered by its position.
    public let anchor: String?
    public var items: [Item]

    public init(title: String, anchor: String? = nil, items: [Item]) {
        self.title = title
        self.anchor = anchor
        self.items = items
    }

    public var figures: [ReportFigure] {
        items.compactMap { item in
            if case let .figure(figure) = item { return figure }
            return nil
        }
    }
}

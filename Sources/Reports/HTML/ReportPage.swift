/// A self-contained report page: one HTML file that opens offline — inline CSS, inline SVG
/// figures, no scripts, fonts or images fetched from anywhere — with links to each figure's own
/// SVG and PNG beside it.
public struct ReportPage: Sendable {
    public let title: String
    /// One line under the title (what the subject is, when it was made).
    public let subtitle: String
    /// Key–value pairs shown first: where every number came from.
    public let lineage: [(key: String, value: String)]
    public let sections: [ReportSection]

    public init(title: String, subtitle: String, lineage: [(key: String, value: String)], sections: [ReportSection]) {
        self.title = title
        self.subtitle = subtitle
        self.lineage = lineage
        self.sections = sections
    }

    public var figures: [ReportFigure] { sections.flatMap(\.figures) }

    public func html() throws -> [UInt8] {
        var body = MarkupElement("body")
        body.append(MarkupElement("h1", text: title))
        body.append(MarkupElement("p", [("class", "subtitle")], text: subtitle))
        if !lineage.isEmpty {
            var list = MarkupElement("dl", [("class", "lineage")])
            for (key, value) in lineage {
                list.append(MarkupElement("dt", text: key))
                list.append(MarkupElement("dd", text: value))
            }
            body.append(list)
        }
        if sections.count > 1 {
            var contents = MarkupElement("ul", [("class", "contents")])
            for (index, section) in sections.enumerated() {
                contents.append(MarkupElement("li", [], [MarkupElement("a", [("href", "#\(Self.id(of: section, at: index))")], text: section.title)]))
            }
            body.append(MarkupElement("nav", [], [contents]))
        }
        for (index, section) in sections.enumerated() {
            var element = MarkupElement("section", [("id", Self.id(of: section, at: index))], [MarkupElement("h2", text: section.title)])
            for item in section.items { element.append(Self.render(item)) }
            body.append(element)
        }
        body.append(MarkupElement("footer", text: "Written by dosecurate report. Every figure is also in figures/ as SVG (and PNG for images)."))
        let tables = sections.flatMap(\.items).contains { item in
            if case let .table(table) = item { return table.sortable }
            return false
        }
        if tables { body.append(MarkupElement("script", text: Self.sortScript)) }
        let head = MarkupElement("head", [], [
            MarkupElement("title", text: title),
            MarkupElement("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
            MarkupElement("style", text: Self.style),
        ])
        return try MarkupDocument.html(MarkupElement("html", [("lang", "en")], [head, body]))
    }

    private static func id(of section: ReportSection, at index: Int) -> String { section.anchor ?? "section-\(index + 1)" }

    private static func render(_ item: ReportSection.Item) -> MarkupElement {
        switch item {
        case let .paragraph(text):
            return MarkupElement("p", text: text)
        case let .commands(lines):
            return MarkupElement("pre", [("class", "commands")], [MarkupElement("code", text: lines.joined(separator: "\n"))])
        case let .table(table):
            var element = MarkupElement("table", table.sortable ? [("class", "sortable")] : [])
            if let caption = table.caption { element.append(MarkupElement("caption", text: caption)) }
            element.append(MarkupElement("thead", [], [MarkupElement("tr", [], table.header.map {
                MarkupElement("th", table.sortable ? [("title", "click to sort")] : [], text: $0)
            })]))
            element.append(MarkupElement("tbody", [], table.rows.map { row in MarkupElement("tr", [], row.map(cell)) }))
            return MarkupElement("div", [("class", "table")], [element])
        case let .figure(figure):
            var links = MarkupElement("p", [("class", "files")])
            links.append(MarkupElement("a", [("href", figure.svgFile)], text: "SVG"))
            if let png = figure.pngFile {
                links.appendText(" · ")
                links.append(MarkupElement("a", [("href", png)], text: "PNG"))
            }
            return MarkupElement("figure", [("id", "figure-\(figure.name)")], [
                MarkupElement("div", [("class", "graphic")], [figure.svg]),
                MarkupElement("figcaption", [], [MarkupElement("strong", text: figure.title + ". "), MarkupElement("span", text: figure.caption)]),
                links,
            ])
        }
    }

    private static func cell(_ cell: ReportCell) -> MarkupElement {
        var attributes: [(String, String)] = []
        if let key = cell.sortKey { attributes.append(("data-sort", key)) }
        // Numbers line up on the right, text reads from the left.
        let number = Double(cell.text.hasPrefix("+") ? String(cell.text.dropFirst()) : cell.text) != nil || cell.text == "–"
        let classes = [cell.style, number ? "number" : nil].compactMap { $0 }
        if !classes.isEmpty { attributes.append(("class", classes.joined(separator: " "))) }
        guard let link = cell.link else { return MarkupElement("td", attributes, text: cell.text) }
        return MarkupElement("td", attributes, [MarkupElement("a", [("href", link)], text: cell.text)])
    }

    /// Sorts a `table.sortable` by the clicked column: numbers (`data-sort`, else the text) as
    /// numbers, the rest as text; a second click reverses. No '<', '>' or '&' (see `style`).
    private static let sortScript = """
        document.querySelectorAll("table.sortable th").forEach(function (header, column) {
          header.addEventListener("click", function () {
            var body = header.closest("table").tBodies[0];
            var ascending = header.dataset.order !== "ascending";
            header.dataset.order = ascending ? "ascending" : "descending";
            var key = function (row) { var cell = row.cells[column]; return cell.dataset.sort || cell.textContent; };
            Array.from(body.rows).sort(function (a, b) {
              var x = key(a), y = key(b);
              var order = isNaN(x - y) ? x.localeCompare(y) : x - y;
              return ascending ? order : -order;
            }).forEach(function (row) { body.appendChild(row); });
          });
        });
        """

    // No '<', '>' or '&' here: HTML reads inline CSS as raw text (MarkupDocument checks).
    private static let style = """
        body { font-family: sans-serif; color: #1a1a1a; margin: 2em auto; max-width: 1200px; padding: 0 1em; line-height: 1.4; }
        h1 { font-size: 1.6em; margin-bottom: 0.1em; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
        .subtitle { color: #555; margin-top: 0; }
        dl.lineage { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; background: #f5f5f5; padding: 0.8em 1em; border-radius: 4px; }
        dl.lineage dt { font-weight: bold; }
        dl.lineage dd { margin: 0; font-family: monospace; overflow-wrap: anywhere; }
        nav ul.contents { columns: 2; padding-left: 1.2em; }
        pre.commands { background: #f5f5f5; padding: 0.8em 1em; overflow-x: auto; border-radius: 4px; }
        div.table { overflow-x: auto; }
        table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
        th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
        td.number { text-align: right; }
        thead th { background: #f0f0f0; }
        figure { margin: 1.5em 0; }
        figure .graphic svg { max-width: 100%; height: auto; }
        figcaption { font-size: 0.92em; color: #333; }
        p.files { font-size: 0.85em; margin-top: 0.2em; }
        footer { margin-top: 3em; color: #777; font-size: 0.85em; }
        table.sortable th { cursor: pointer; }
        td.severity-error { color: #b23c00; font-weight: bold; }
        td.severity-warning { color: #8a6d00; }
        """
}

import Foundation

import CXML2

/// Turns `MarkupElement` trees into SVG and HTML files with libxml2, and checks that bytes parse
/// strictly as XML. Pages are written as XHTML-compatible HTML5 (libxml2's XHTML rules: void
/// elements as `<br />`, empty ones as `<div></div>`), so one strict XML parser checks every page
/// and figure, and browsers read them as ordinary HTML.
public enum MarkupDocument {
    /// A standalone SVG file: XML declaration, then the tree (its root should be `svg` with
    /// `xmlns="http://www.w3.org/2000/svg"`).
    public static func svg(_ root: MarkupElement) throws -> [UInt8] {
        try serialise(root, options: Int32(XML_SAVE_FORMAT.rawValue))
    }

    /// A page: `<!DOCTYPE html>`, then the tree (root `html`). Inline `style` and `script` text must
    /// hold no `<`, `>` or `&`: HTML reads them as raw text, so an escaped character would stay
    /// escaped. A script that needs them is a `MarkupElement.inlineScript`.
    public static func html(_ root: MarkupElement) throws -> [UInt8] {
        try checkRawText(root)
        let options = Int32(XML_SAVE_FORMAT.rawValue | XML_SAVE_NO_DECL.rawValue | XML_SAVE_XHTML.rawValue)
        return Array("<!DOCTYPE html>\n".utf8) + (try serialise(root, options: options))
    }

    /// Parses `bytes` as XML with no recovery, no network and no entity expansion from outside,
    /// throwing libxml2's first error; `name` is said in the error.
    public static func checkWellFormed(_ bytes: [UInt8], name: String) throws {
        var body = bytes
        // The parser does not take HTML's doctype without a system id; it carries nothing to check.
        let doctype = Array("<!DOCTYPE html>".utf8)
        if body.starts(with: doctype) { body.removeFirst(doctype.count) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = body.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                xmlReadMemory(characters.baseAddress, Int32(characters.count), name, "UTF-8", options)
            }
        }
        guard let parsed else {
            let message = xmlGetLastError().flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "not well-formed"
            throw ReportError.markup(file: name, reason: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        xmlFreeDoc(parsed)
    }

    private static func serialise(_ root: MarkupElement, options: Int32) throws -> [UInt8] {
        guard let document = xmlNewDoc("1.0") else { throw ReportError.markup(file: root.name, reason: "libxml2 could not create a document") }
        defer { xmlFreeDoc(document) }
        let node = try build(root)
        xmlDocSetRootElement(document, node)
        guard let buffer = xmlBufferCreate() else { throw ReportError.markup(file: root.name, reason: "libxml2 could not allocate a buffer") }
        defer { xmlBufferFree(buffer) }
        guard let context = xmlSaveToBuffer(buffer, "UTF-8", options) else {
            throw ReportError.markup(file: root.name, reason: "libxml2 could not start serialising")
        }
        let saved = xmlSaveDoc(context, document)
        xmlSaveClose(context)
        guard saved >= 0, let content = xmlBufferContent(buffer) else {
            throw ReportError.markup(file: root.name, reason: "libxml2 could not serialise the tree")
        }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }

    private static func build(_ element: MarkupElement) throws -> xmlNodePtr {
        guard let node = xmlNewNode(nil, element.name) else {
            throw ReportError.markup(file: element.name, reason: "libxml2 could not create element <\(element.name)>")
        }
        for attribute in element.attributes { xmlNewProp(node, attribute.name, xmlSafe(attribute.value)) }
        for child in element.children {
            switch child {
            case let .element(childElement): xmlAddChild(node, try build(childElement))
            case let .text(text): xmlAddChild(node, xmlNewText(xmlSafe(text)))
            case let .scriptSource(source):
                // `//<![CDATA[` … `//]]>`: the XML parser reads a CDATA section, a browser's
                // script parser two line comments around the source (checkRawText vetted it).
                xmlAddChild(node, xmlNewText("//"))
                let body = Array(xmlSafe("\n" + source + "\n//").utf8)
                let block = body.withUnsafeBufferPointer { bytes in xmlNewCDataBlock(nil, bytes.baseAddress, Int32(bytes.count)) }
                guard let block else { throw ReportError.markup(file: element.name, reason: "libxml2 could not create the script's CDATA section") }
                xmlAddChild(node, block)
            }
        }
        return node
    }

    private static func checkRawText(_ element: MarkupElement) throws {
        for child in element.children {
            switch child {
            case let .element(childElement): try checkRawText(childElement)
            case let .text(text):
                if element.name == "style" || element.name == "script", text.contains(where: { "<>&".contains($0) }) {
                    throw ReportError.markup(file: element.name, reason: "inline <\(element.name)> holds '<', '>' or '&', which HTML would not unescape")
                }
            case let .scriptSource(source):
                guard element.name == "script" else {
                    throw ReportError.markup(file: element.name, reason: "script source inside <\(element.name)>, not <script>")
                }
                let lowered = source.lowercased()
                // Each would end the element or the CDATA section early in one of the two parsers.
                if let found = ["</script", "<!--", "]]>"].first(where: lowered.contains) {
                    throw ReportError.markup(file: element.name, reason: "inline script holds '\(found)', which would end it early")
                }
            }
        }
    }

    /// XML 1.0 cannot carry most C0 control characters, even escaped; a file name or a decoder
    /// message might hold one.
    static func xmlSafe(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value < 0x20 && scalar != "\n" && scalar != "\t" && scalar != "\r" ? "\u{FFFD}" : scalar
        }))
    }
}

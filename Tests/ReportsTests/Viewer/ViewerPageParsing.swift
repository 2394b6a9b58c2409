import CXML2
import Foundation
import XCTest

/// A viewer page parsed strictly by libxml2 (no recovery, no network), reduced to what the tests
/// read: every element with its attributes and text, in document order.
struct ParsedViewerPage {
    struct Element {
        let name: String
        let attributes: [String: String]
        let text: String
        /// The text of each child element (a table row's cells), trimmed of the indentation libxml2 adds.
        let childTexts: [String]
    }

    let elements: [Element]

    init(_ html: [UInt8]) throws {
        var body = html
        let doctype = Array("<!DOCTYPE html>".utf8)
        XCTAssertTrue(body.starts(with: doctype), "an HTML5 page")
        body.removeFirst(doctype.count)
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = body.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { xmlReadMemory($0.baseAddress, Int32($0.count), "view.html", "UTF-8", options) }
        }
        let document = try XCTUnwrap(parsed, "the page must parse as strict XML")
        defer { xmlFreeDoc(document) }
        var found: [Element] = []
        func text(_ node: xmlNodePtr) -> String {
            guard let content = xmlNodeGetContent(node) else { return "" }
            defer { dc_xml_free(content) }
            return String(cString: content)
        }
        func visit(_ node: xmlNodePtr) {
            var attributes: [String: String] = [:]
            var attribute = node.pointee.properties
            while let current = attribute {
                let name = String(cString: current.pointee.name)
                if let value = xmlGetProp(node, current.pointee.name) {
                    attributes[name] = String(cString: value)
                    dc_xml_free(value)
                }
                attribute = current.pointee.next
            }
            var children: [xmlNodePtr] = []
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE { children.append(current) }
                child = current.pointee.next
            }
            let childTexts = children.map { text($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            found.append(Element(name: String(cString: node.pointee.name), attributes: attributes, text: text(node), childTexts: childTexts))
            children.forEach(visit)
        }
        visit(try XCTUnwrap(xmlDocGetRootElement(document)))
        elements = found
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    func element(id: String) throws -> Element { try XCTUnwrap(elements.first { $0.attributes["id"] == id }, "no element #\(id)") }

    /// The data block the script reads, decoded.
    func data() throws -> [String: Any] {
        let text = try element(id: "viewer-data").text
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The PNG bytes of sheet `index` of `layer`.
    func sheet(_ layer: String, _ index: Int) throws -> [UInt8] {
        let image = try XCTUnwrap(all("img").first { $0.attributes["data-layer"] == layer && $0.attributes["data-sheet"] == String(index) },
                                  "no sheet \(index) of \(layer)")
        let source = try XCTUnwrap(image.attributes["src"])
        let prefix = "data:image/png;base64,"
        XCTAssertTrue(source.hasPrefix(prefix))
        return [UInt8](try XCTUnwrap(Data(base64Encoded: String(source.dropFirst(prefix.count)))))
    }
}

import Foundation

/// An element of an SVG or HTML tree as a value: built by the charts, images and pages, turned
/// into bytes by `MarkupDocument` through libxml2 (which escapes every attribute and text node).
public struct MarkupElement: Sendable, Equatable {
    public enum Child: Sendable, Equatable {
        case element(MarkupElement)
        case text(String)
        /// JavaScript source of an inline `<script>`, written as it is (see `MarkupElement.inlineScript`).
        case scriptSource(String)
    }

    public struct Attribute: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    public var name: String
    public var attributes: [Attribute]
    public var children: [Child]

    public init(_ name: String, _ attributes: [(String, String)] = [], _ children: [MarkupElement] = []) {
        self.name = name
        self.attributes = attributes.map { Attribute(name: $0.0, value: $0.1) }
        self.children = children.map { .element($0) }
    }

    public init(_ name: String, _ attributes: [(String, String)] = [], text: String) {
        self.init(name, attributes)
        children = [.text(text)]
    }

    /// A `<script>` whose source is written verbatim, so it may use `<`, `>` and `&` like any
    /// script: `MarkupDocument` puts it in a CDATA section behind `//` line comments, which an XML
    /// parser reads as the text and a browser's script parser as comments. It refuses a source
    /// holding `</script`, `<!--` (both change how HTML ends the element) or `]]>` (ends the CDATA).
    public static func inlineScript(_ source: String) -> MarkupElement {
        var script = MarkupElement("script")
        script.children = [.scriptSource(source)]
        return script
    }

    public mutating func append(_ element: MarkupElement) { children.append(.element(element)) }

    public mutating func append(contentsOf elements: [MarkupElement]) { children += elements.map { .element($0) } }

    public mutating func appendText(_ text: String) { children.append(.text(text)) }

    public mutating func setAttribute(_ name: String, _ value: String) {
        if let index = attributes.firstIndex(where: { $0.name == name }) {
            attributes[index] = Attribute(name: name, value: value)
        } else {
            attributes.append(Attribute(name: name, value: value))
        }
    }

    public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    /// Every element below this one (depth first, this one included) with the given name.
    public func descendants(named wanted: String) -> [MarkupElement] {
        var found = name == wanted ? [self] : []
        for case let .element(child) in children { found += child.descendants(named: wanted) }
        return found
    }

    /// The text of this element and everything below it.
    public var textContent: String {
        children.map { child in
            switch child {
            case let .element(element): element.textContent
            case let .text(text): text
            case let .scriptSource(source): source
            }
        }.joined()
    }
}

/// Coordinates and lengths in SVG: two decimals are far below a pixel, and short numbers keep
/// figures small.
public enum MarkupNumber {
    public static func format(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        var text = String(format: "%.\(decimals)f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}

import NumpyFormat

/// A case's decoded metadata as nested HTML definition lists, for the viewer's side panel: dicts
/// as `dl` (nested ones folded in `details`), short lists of plain values on one line, long lists
/// cut. `beam_geometry` alone can hold thousands of control-point values; the panel shows their
/// count, not the numbers (the case file still has them).
enum MetadataTree {
    /// Plain values shown from a list before the rest are counted.
    static let listedValues = 12
    /// Nested entries (dicts or lists) shown from a list before the rest are counted.
    static let listedEntries = 8
    /// The longest text shown for one value.
    static let textCharacters = 200

    static func element(_ metadata: MetadataValue) -> MarkupElement {
        guard let entries = metadata.dictionaryEntries else {
            return MarkupElement("p", [("class", "metadata-value")], text: plainText(metadata))
        }
        return definitionList(entries)
    }

    private static func definitionList(_ entries: [MetadataEntry]) -> MarkupElement {
        var list = MarkupElement("dl", [("class", "metadata")])
        for entry in entries {
            list.append(MarkupElement("dt", text: CanonicalJSON.keyText(entry.key)))
            list.append(isContainer(entry.value) ? MarkupElement("dd", [], [folded(entry.value)])
                                                 : MarkupElement("dd", text: plainText(entry.value)))
        }
        return list
    }

    /// A dict, or a list holding dicts or lists, closed until the reader opens it.
    private static func folded(_ value: MetadataValue) -> MarkupElement {
        let (summary, body): (String, MarkupElement)
        if let entries = value.dictionaryEntries {
            (summary, body) = ("\(entries.count) entries", definitionList(entries))
        } else {
            let items = listItems(value) ?? []
            var list = MarkupElement("ol", [("start", "0")])
            for item in items.prefix(listedEntries) {
                list.append(MarkupElement("li", [], [isContainer(item) ? folded(item) : MarkupElement("span", text: plainText(item))]))
            }
            if items.count > listedEntries { list.append(MarkupElement("li", [("class", "more")], text: "… \(items.count - listedEntries) more")) }
            (summary, body) = ("\(items.count) items", list)
        }
        return MarkupElement("details", [], [MarkupElement("summary", text: summary), body])
    }

    /// A dict, or a list or tuple with a dict or list inside: what is not shown on one line.
    private static func isContainer(_ value: MetadataValue) -> Bool {
        if value.dictionaryEntries != nil { return true }
        return listItems(value)?.contains { $0.dictionaryEntries != nil || listItems($0) != nil } ?? false
    }

    private static func listItems(_ value: MetadataValue) -> [MetadataValue]? {
        switch value {
        case let .list(items), let .tuple(items), let .set(items): items
        default: nil
        }
    }

    /// One line: strings as they are, lists of plain values as `[a, b, …]` with a count when cut,
    /// everything else as its canonical JSON text, cut to `textCharacters`.
    private static func plainText(_ value: MetadataValue) -> String {
        let text: String
        switch value {
        case let .string(string):
            text = string
        case let .bytes(bytes):
            text = "\(bytes.count) bytes"
        case let .numpyArray(array) where array.elementCount > listedValues:
            text = "array \(array.descr) of shape (\(array.shape.map(String.init).joined(separator: ", ")))"
        default:
            if let items = listItems(value) {
                let shown = items.prefix(listedValues).map { CanonicalJSON.encode($0) }
                text = "[" + shown.joined(separator: ", ") + (items.count > listedValues ? ", … \(items.count) values]" : "]")
            } else {
                text = CanonicalJSON.encode(value)
            }
        }
        return text.count > textCharacters ? String(text.prefix(textCharacters)) + "…" : text
    }
}

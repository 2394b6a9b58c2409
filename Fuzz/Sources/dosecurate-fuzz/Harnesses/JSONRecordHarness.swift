import Support

/// Input: a JSON record's text. Parses it, and checks the property every record hash rests on:
/// the canonical text of a parsed value parses back to the same value.
enum JSONRecordHarness {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue.parse(bytes) else { return }
        let canonical = value.canonicalUTF8
        guard let reparsed = try? JSONValue.parse(canonical), reparsed == value else {
            fatalError("canonical JSON does not parse back to the value: \(String(decoding: canonical, as: UTF8.self))")
        }
        Sink.consume(value.canonicalSHA256)
    }
}

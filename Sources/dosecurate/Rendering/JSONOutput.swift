import Support
import Foundation

/// `--json` output: pretty-printed, keys sorted, slashes as they are, one trailing newline.
enum JSONOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }

    static func print(_ value: JSONValue) {
        FileHandle.standardOutput.write(Data(value.prettyUTF8))
    }
}

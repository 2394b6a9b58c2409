import Support
import Foundation

/// `--json` output: one pretty-printed document (keys sorted, slashes as they are, one trailing
/// newline) whose `schema` key names its shape. Records print as stored, with their own schema;
/// every other result is named `dosecurate/<command>-output/1` (docs/records.md lists them).
enum JSONOutput {
    static func print(_ value: some Encodable, result command: String) throws {
        print(try JSONValue(encoding: value), result: command)
    }

    static func print(_ fields: [String: JSONValue], result command: String) {
        print(.object(fields), result: command)
    }

    static func print(_ value: JSONValue, result command: String) {
        guard case var .object(members) = value else {
            return print(["value": value], result: command)
        }
        members["schema"] = .string(schemaName(command))
        FileHandle.standardOutput.write(Data(JSONValue.object(members).prettyUTF8))
    }

    /// A record's stored bytes, which carry its schema.
    static func printRecord(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func schemaName(_ command: String) -> String { "dosecurate/\(command)-output/1" }
}

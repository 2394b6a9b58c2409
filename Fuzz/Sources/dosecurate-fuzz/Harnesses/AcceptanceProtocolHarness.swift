import Dosimetry
import Foundation

/// Input: an acceptance-protocol JSON file. Decodes and validates it, evaluates it against a
/// dose whose metrics are all present, half missing, and non-finite, and checks that a protocol
/// that loads survives its own JSON encoding unchanged.
enum AcceptanceProtocolHarness {
    static func run(_ bytes: [UInt8]) {
        guard let table = try? AcceptanceProtocol.decode(bytes, file: "fuzz-protocol.json") else { return }
        Sink.consume(table.check { _, _ in 50 }.constraintsMet)
        Sink.consume(table.check { structure, _ in structure.count.isMultiple(of: 2) ? nil : 1e9 }.violations.count)
        Sink.consume(table.check { _, _ in .nan }.notEvaluated.count)
        guard let encoded = try? JSONEncoder().encode(table),
              let again = try? AcceptanceProtocol.decode(Array(encoded), file: "fuzz-protocol.json"), again == table else {
            fatalError("acceptance protocol: decode(encode(p)) differs from p")
        }
    }
}

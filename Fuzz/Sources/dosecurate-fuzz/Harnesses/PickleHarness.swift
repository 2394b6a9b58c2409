import NumpyFormat

/// Input: pickle bytes, as found in a `.npz`'s `metadata` member after its `.npy` preamble.
/// Decodes with the restricted unpickler, then derives what a metadata hash derives (canonical
/// JSON), and takes the `metadata.item()` dictionary as a case load does.
enum PickleHarness {
    static func run(_ bytes: [UInt8]) {
        let decoder = PickleDecoder()
        guard let value = try? decoder.decode(bytes) else { return }
        Sink.consume(CanonicalJSON.encode(value))
        Sink.consume(value.hashValue)
        _ = try? decoder.metadataDictionary(fromPickle: bytes)
    }
}

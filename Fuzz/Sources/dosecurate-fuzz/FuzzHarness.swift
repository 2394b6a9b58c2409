/// The parsers of untrusted input under fuzzing, one harness each. The raw value is the name used
/// in `DOSECURATE_FUZZ_TARGET`, `Fuzz/Corpus/<name>/`, `Fuzz/Crashes/<name>/` and `make fuzz`.
enum FuzzHarness: String, CaseIterable {
    case npyHeader = "npy-header"
    case npzArchive = "npz-archive"
    case pickle = "pickle"
    case deliveryArchive = "delivery-archive"
    case jsonRecord = "json-record"
    case safeTensors = "safetensors"
    case acceptanceProtocol = "acceptance-protocol"

    static let environmentVariable = "DOSECURATE_FUZZ_TARGET"

    /// Array ceiling the archive harnesses pass to the readers. The library default (16 GiB) is a
    /// real-case ceiling; under libFuzzer's 2 GiB malloc limit a header declaring more than the
    /// limit would be reported as an out-of-memory although the reader behaves as designed.
    static let maximumArrayBytes = 64 << 20

    func run(_ bytes: [UInt8]) {
        switch self {
        case .npyHeader: NPYHeaderHarness.run(bytes)
        case .npzArchive: NPZArchiveHarness.run(bytes)
        case .pickle: PickleHarness.run(bytes)
        case .deliveryArchive: DeliveryArchiveHarness.run(bytes)
        case .jsonRecord: JSONRecordHarness.run(bytes)
        case .safeTensors: SafeTensorsHarness.run(bytes)
        case .acceptanceProtocol: AcceptanceProtocolHarness.run(bytes)
        }
    }
}

import NumpyFormat

/// Input: one `.npz` file. Written to a scratch file (the archive reads through `pread`), then
/// read as the audit and a case load do: the one-pass preview, the full stream (every CRC), and
/// each member by key.
enum NPZArchiveHarness {
    private static let scratch = ScratchFile(name: "case.npz")

    static func run(_ bytes: [UInt8]) {
        scratch.write(bytes)
        guard let archive = try? NPZArchive(path: scratch.path, maximumArrayBytes: FuzzHarness.maximumArrayBytes) else { return }
        if let previews = try? archive.preview() {
            for (_, preview) in previews {
                switch preview {
                case let .array(header): Sink.consume(header.dataByteCount)
                case let .pickledObject(object): NPZEventSink.consume(object)
                }
            }
        }
        try? archive.stream(maxChunkBytes: 4096, NPZEventSink.consume)
        for key in archive.keys.prefix(8) {
            if let content = try? archive.readContent(key) { NPZEventSink.consume(content) }
        }
    }
}

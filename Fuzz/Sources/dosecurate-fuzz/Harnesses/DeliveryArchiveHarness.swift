import NumpyFormat

/// Input: a delivery archive (`.zip`, `.tar`, `.tar.gz`; libarchive detects the format from the
/// bytes) holding `.npz` cases. Lists the cases, then streams every case as the audit does: a
/// case that fails is recorded and the pass goes on to the next.
enum DeliveryArchiveHarness {
    private static let scratch = ScratchFile(name: "delivery.tar")

    static func run(_ bytes: [UInt8]) {
        scratch.write(bytes)
        let archive = DeliveryArchive(path: scratch.path, maximumArrayBytes: FuzzHarness.maximumArrayBytes)
        _ = try? archive.caseMembers()
        try? archive.forEachCase(where: { _ in true }) { npz in
            try? npz.stream(maxChunkBytes: 4096, NPZEventSink.consume)
        }
    }
}

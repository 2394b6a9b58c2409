import CArchive
import Foundation
import NumpyFormat

/// Reads every member of a full-size case four ways and reports inflated MB/s: dosecurate on one
/// thread and on two, numpy.load, and a bare libarchive read-through (the decode bound).
struct ReadBenchmark {
    let casePath: String
    let python: String
    let repeats: Int

    struct Measurement {
        let label: String
        let seconds: Double
        let bytes: Int
        var megabytesPerSecond: Double { Double(bytes) / 1_000_000 / seconds }
    }

    func run() async throws -> [Measurement] {
        let archive = try NPZArchive(path: casePath)
        let inflated = archive.members.reduce(0) { $0 + $1.inflatedSize }
        var results: [Measurement] = []
        results.append(Measurement(label: "libarchive read-through (decode bound)", seconds: try await best { try bareReadThrough() }, bytes: inflated))
        results.append(Measurement(label: "dosecurate, 1 thread (one pass)", seconds: try await best {
            var total = 0
            try archive.forEachMember { member, _ in total += member.inflatedSize }
            precondition(total == inflated)
        }, bytes: inflated))
        results.append(Measurement(label: "dosecurate, 2 threads (readAll)", seconds: try await best {
            let all = try await archive.readAll(concurrency: 2)
            precondition(all.count == archive.members.count)
        }, bytes: inflated))
        results.append(Measurement(label: "dosecurate, masks_sdf slab by slab", seconds: try await best {
            var slabs = 0
            try archive.forEachSlab(of: "masks_sdf") { _, _, _ in slabs += 1 }
        }, bytes: try archive.member(named: "masks_sdf").inflatedSize))
        results.append(Measurement(label: "numpy.load, every member", seconds: try numpySeconds(), bytes: inflated))
        return results
    }

    private func best(_ body: () async throws -> Void) async throws -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try await body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.min() ?? .nan
    }

    private func bareReadThrough() throws { try Self.readThrough(casePath) { _ in } }

    /// Inflates every member into libarchive's own buffers and hands each block to `body`: the
    /// decode bound (no copy, no conversion).
    static func readThrough(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        guard let handle = archive_read_new() else { throw BenchmarkError("libarchive could not allocate a reader") }
        defer { archive_read_free(handle) }
        archive_read_support_format_zip(handle)
        guard archive_read_open_filename(handle, path, 1 << 20) == dc_archive_ok() else { throw BenchmarkError("cannot open \(path)") }
        var entry: OpaquePointer?
        while archive_read_next_header(handle, &entry) == dc_archive_ok() {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            while archive_read_data_block(handle, &block, &size, &offset) == dc_archive_ok() {
                body(UnsafeRawBufferPointer(start: block, count: size))
            }
        }
    }

    /// numpy.load on the same file, every member (metadata unpickled), timed inside Python.
    private func numpySeconds() throws -> Double {
        let script = """
        import sys, time, numpy as np
        best = float("inf")
        for _ in range(int(sys.argv[2])):
            start = time.perf_counter()
            with np.load(sys.argv[1], allow_pickle=True) as archive:
                arrays = [archive[key] for key in archive.files]
            best = min(best, time.perf_counter() - start)
            del arrays
        print(best)
        """
        let output = try Subprocess.run(python, ["-c", script, casePath, String(repeats)])
        guard let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkError("numpy timing printed '\(output)'")
        }
        return seconds
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

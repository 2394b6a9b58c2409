import Audit
import Crypto
import Foundation
import NumpyFormat
import Phantoms

/// Issue 6's benchmark: four full-size phantom cases audited cold (`--no-cache`) by the release
/// `dosecurate` binary, against `Benchmarks/audit_numpy.py` doing the same work with NumPy and
/// SciPy, and against the bound — libarchive inflating every member plus SHA-256 of the same bytes,
/// two cases per core — and the same bound read with dosecurate's own reader.
struct AuditBenchmark {
    let python: String
    let scratch: URL
    let dosecurate: String
    let script: String

    struct Result {
        let dosecurate: Double
        let numpy: Double?
        let bound: Double
        /// The same bound with dosecurate's own reader (ISA-L) in place of libarchive: the floor
        /// of what the audit can take, so the gap to it is the checks' own cost.
        let readerBound: Double
        let peakRSSMegabytes: Double
    }

    /// A case of each kind the cohort has, full size (300×300×144).
    static let recipes = [
        PhantomRecipe(caseId: "bench_0001", planType: .sib3Level, formatVersion: .v2_4, patientSeed: 21, planSeed: 22),
        PhantomRecipe(caseId: "bench_0002", planType: .sib2Level, formatVersion: .v2_3, patientSeed: 23, planSeed: 24),
        PhantomRecipe(caseId: "bench_0003", planType: .singleRx, formatVersion: .v2_3, patientSeed: 25, planSeed: 26),
        PhantomRecipe(caseId: "bench_0004", planType: .nodalOnly, formatVersion: .v2_4, patientSeed: 27, planSeed: 28),
    ]

    func run() throws -> Result {
        let folder = scratch.appendingPathComponent("audit-cases")
        let paths = try Self.writeCases(to: folder)
        guard FileManager.default.isExecutableFile(atPath: dosecurate) else { throw BenchmarkError("no dosecurate binary at \(dosecurate)") }
        let (audit, peak) = try Self.timedWithPeakRSS(python: python, [dosecurate, "audit", "--no-cache", "--quiet", "--json", folder.path])

        let cases = paths
        let bound = try Self.timed {
            DispatchQueue.concurrentPerform(iterations: 2) { lane in
                for path in cases.enumerated().filter({ $0.offset % 2 == lane }).map(\.element) {
                    var hasher = SHA256()
                    try? ReadBenchmark.readThrough(path) { hasher.update(bufferPointer: $0) }
                    _ = hasher.finalize()
                }
            }
        }
        let readerBound = try Self.timed {
            DispatchQueue.concurrentPerform(iterations: 2) { lane in
                for path in cases.enumerated().filter({ $0.offset % 2 == lane }).map(\.element) {
                    var hasher = SHA256()
                    try? NPZArchive(path: path).stream { event in
                        if case let .arrayChunk(_, _, _, bytes) = event { hasher.update(bufferPointer: bytes) }
                    }
                    _ = hasher.finalize()
                }
            }
        }
        var numpy: Double?
        if (try? Subprocess.run(python, ["-c", "import scipy"])) != nil {
            let output = try Subprocess.run(python, [script] + paths)
            numpy = output.split(separator: "\n").last.flatMap { line in
                line.hasPrefix("seconds ") ? Double(line.dropFirst("seconds ".count)) : nil
            }
        }
        return Result(dosecurate: audit, numpy: numpy, bound: bound, readerBound: readerBound, peakRSSMegabytes: peak)
    }

    /// What the anatomy and geometry checks (catalog version 4) add: the same cases audited in
    /// process, cold, 2 workers, with the standard catalog and with it minus those four checks,
    /// alternating, best of two each.
    static func anatomyChecksCost(folder: String) async throws -> (with: Double, without: Double) {
        let added: Set<String> = [AnatomyOrientationCheck.id, GeometrySpacingCheck.id, TargetsGeometryCheck.id, DoseConsistencyCheck.id]
        let standard = CheckCatalog.standard
        let without = CheckCatalog(caseChecks: standard.caseChecks.filter { !added.contains($0.definition.id) }, datasetChecks: standard.datasetChecks)
        var best = (with: Double.infinity, without: Double.infinity)
        for _ in 0..<2 {
            for (catalog, isStandard) in [(without, false), (standard, true)] {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await Auditor.run(paths: [folder], options: AuditOptions(workers: 2, cacheDirectory: nil, catalog: catalog))
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if isStandard { best.with = min(best.with, seconds) } else { best.without = min(best.without, seconds) }
            }
        }
        return best
    }

    /// Writes the four full-size cases into `folder` (skipping those already there).
    static func writeCases(to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try recipes.map { recipe in
            let path = folder.appendingPathComponent("\(recipe.caseId).npz").path
            if !FileManager.default.fileExists(atPath: path) { try PhantomCase.generate(recipe, size: .full).write(to: path) }
            return path
        }
    }

    /// Seconds and peak RSS (MB) of one command, measured by a small Python parent whose only child
    /// it is (RUSAGE_CHILDREN here would include every earlier child of the benchmark).
    static func timedWithPeakRSS(python: String, _ command: [String]) throws -> (seconds: Double, peakRSSMegabytes: Double) {
        let wrapper = """
        import resource, subprocess, sys, time
        start = time.perf_counter()
        subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        """
        let measured = try Subprocess.run(python, ["-c", wrapper] + command)
            .split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard measured.count == 2 else { throw BenchmarkError("the timing wrapper printed \(measured)") }
        return (measured[0], measured[1])
    }

    static func timed(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

import Engine
import Foundation
import Support

/// Issue 25's benchmark. `dosecurate run` must add under a second to a command once the training
/// cache exists (the pinning checks, run.json, the log, result.json with its hashes), and
/// `dosecurate_torch.PinnedCache` must read training patches at least as fast as the engine's own
/// cache reader: the same cache, the same seed, so the same epoch of draws, each read and oriented.
struct RunBenchmark {
    let dosecurate: String
    let scratch: URL
    let repositoryRoot: URL
    let repeats = 5
    let patch = [64, 64, 64]
    let patchesPerVolume = 16

    struct Result {
        let cacheBuild: Double
        let commandAlone: Double
        let underRun: Double
        let patches: Int
        let enginePatchesPerSecond: Double
        let torchPatchesPerSecond: Double
    }

    func run() throws -> Result {
        let folder = scratch.appendingPathComponent("run-bench"), workspace = folder.appendingPathComponent("ws").path
        let cohort = folder.appendingPathComponent("cohort").path
        _ = try Subprocess.run(dosecurate, ["phantoms", cohort, "--cases", "8", "--size", "small", "--seed", "5", "--quiet"])
        _ = try Subprocess.run(dosecurate, ["init", workspace])
        _ = try Subprocess.run(dosecurate, ["freeze", cohort, "--workspace", workspace, "--quiet"])
        _ = try Subprocess.run(dosecurate, ["split", "lock", "main", "--dataset", "latest", "--workspace", workspace, "--quiet"])
        func run(_ id: String) throws {
            _ = try Subprocess.run(dosecurate, ["run", "--dataset", "latest", "--split", "main", "--run-id", id, "--workspace", workspace,
                                                "--quiet", "--", "/bin/true"])
        }
        let cacheBuild = try AuditBenchmark.timed { try run("build") }
        let alone = try (0..<repeats).map { _ in try AuditBenchmark.timed { _ = try Subprocess.run("/bin/true", []) } }.reduce(0, +)
        let underRun = try (0..<repeats).map { index in try AuditBenchmark.timed { try run("warm-\(index)") } }.reduce(0, +)

        let cache = try cachePath(in: workspace)
        let (count, engineSeconds) = try engineEpoch(cache: cache)
        let torchSeconds = try torchEpoch(cache: cache, runJSON: "\(workspace)/runs/build/run.json", expectedPatches: count)
        return Result(cacheBuild: cacheBuild, commandAlone: alone / Double(repeats), underRun: underRun / Double(repeats), patches: count,
                      enginePatchesPerSecond: Double(count) / engineSeconds, torchPatchesPerSecond: Double(count) / torchSeconds)
    }

    private func cachePath(in workspace: String) throws -> String {
        let folder = "\(workspace)/.dosecurate/cache/training"
        guard let name = try FileManager.default.contentsOfDirectory(atPath: folder).first(where: { $0.hasSuffix(".h5") }) else {
            throw BenchmarkError("no training cache in \(folder)")
        }
        return "\(folder)/\(name)"
    }

    /// One epoch of draws over the train cases, read (input and dose boxes) and oriented as the trainer does.
    private func engineEpoch(cache path: String) throws -> (Int, Double) {
        let cache = try TrainingCacheReader(path: path)
        let caseIds = try JSONValue.parse(Array(cache.attribute("case_ids").utf8)).arrayValue?.compactMap(\.stringValue) ?? []
        let train = try caseIds.filter { try cache.attribute("role", of: "cases/\($0)") == "train" }
        let sampler = try PatchSampler(patch: patch)
        let centres = try train.map { caseId in
            let extent = try cache.extent(caseId: caseId, array: "dose")
            return try PatchSampler.Centres(extent: extent, dose: cache.readBox(caseId: caseId, array: "dose", start: [0, 0, 0], size: extent))
        }
        let channels = try cache.extent(caseId: train[0], array: "input")[0]
        let draws = sampler.epochDraws(centres, seed: 0, epoch: 1, patchesPerVolume: patchesPerVolume)
        let seconds = try AuditBenchmark.timed {
            for (volume, draw) in draws {
                let input = try Tensor(shape: [1, channels] + patch, elements: cache.readBox(caseId: train[volume], array: "input", start: draw.start, size: patch))
                let dose = try Tensor(shape: [1, 1] + patch, elements: cache.readBox(caseId: train[volume], array: "dose", start: draw.start, size: patch))
                _ = try sampler.oriented(input: input, dose: dose, by: draw)
            }
        }
        return (draws.count, seconds)
    }

    /// The same epoch through `PinnedCache.patches` (Debian's python3-torch and h5py).
    private func torchEpoch(cache: String, runJSON: String, expectedPatches: Int) throws -> Double {
        let script = """
            import sys, time
            sys.path.insert(0, sys.argv[1])
            from dosecurate_torch import PinnedCache, PatchSampler
            cache = PinnedCache(sys.argv[2], run_json=sys.argv[3])
            sampler = PatchSampler([\(patch.map(String.init).joined(separator: ", "))])
            # The draws (and each case's dose, read once for them) are made here, before the clock,
            # as the engine's side makes them before its clock.
            epoch = cache.patches(sampler, seed=0, epoch=1, patches_per_volume=\(patchesPerVolume))
            start = time.perf_counter()
            for index in range(len(epoch)):
                epoch[index]
            print(len(epoch), time.perf_counter() - start)
            """
        let output = try Subprocess.run("/usr/bin/python3", ["-c", script, repositoryRoot.appendingPathComponent("python").path, cache, runJSON])
        let fields = output.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, Int(fields[0]) == expectedPatches, let seconds = Double(fields[1]) else {
            throw BenchmarkError("PinnedCache epoch: expected \(expectedPatches) patches and a time, found \(output)")
        }
        return seconds
    }
}

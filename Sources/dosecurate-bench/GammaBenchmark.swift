import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import Phantoms
import Support

/// The gamma index where it is hard (issue 33): predictions that fail many points, steep
/// gradients on a coarse grid. `dosecurate evaluate` is timed as the user sees it (process start
/// to exit, reading included) against pymedphys 0.41's gamma call alone; pymedphys takes minutes
/// per full-size case, so its values and times come from `Benchmarks/gamma_hard_pymedphys.json`,
/// which `dosecurate-bench gamma --remeasure` (`make gamma-reference`) rewrites. Each fixture entry
/// carries the SHA-256 of the two `.npy` files it was measured on, so a changed generator shows
/// up as a stale fixture instead of a wrong comparison.
struct GammaBenchmark {
    let python: String
    let scratch: URL
    let dosecurate: String
    let script: String
    let fixture: URL

    struct Case: Sendable {
        let name: String
        let size: PhantomSize
        /// `SyntheticPrediction` severity (`phantoms --prediction-error`).
        let severity: Double
        let seed: UInt64
    }

    /// A clinical-like coarse dose grid: 128² in-plane at 4.7 mm, 2 mm slices (the phantom's
    /// slices span its structures ± 30 mm, at least 128).
    static let coarse = PhantomSize(name: "coarse", rows: 128, columns: 128, spacingMM: [4.7, 4.7, 2], minimumSlices: 128,
                                    zMarginMM: 30, fixedGridSlices: 128)

    /// Pass rates from ~30 % to ~90 % (the easy benchmark pair is `dosecurate-bench evaluate`).
    /// Severity is `SyntheticPrediction`'s (`phantoms --prediction-error`, which stops at 10).
    static let cases = [
        Case(name: "full, error 3", size: .full, severity: 3, seed: 31),
        Case(name: "full, error 14", size: .full, severity: 14, seed: 32),
        Case(name: "small, error 1.5", size: .small, severity: 1.5, seed: 33),
        Case(name: "small, error 3", size: .small, severity: 3, seed: 34),
        Case(name: "small, error 14", size: .small, severity: 14, seed: 35),
        Case(name: "coarse 4.7×4.7×2 mm, error 4", size: coarse, severity: 4, seed: 36),
    ]

    /// One case written to disk: the case file, the prediction, and the two Gy arrays pymedphys reads.
    struct Prepared {
        let benchmarkCase: Case
        let casePath: String
        let predictionPath: String
        let referenceNPY: String
        let evaluationNPY: String
        let referenceSHA256: String
        let evaluationSHA256: String
        let shape: VolumeShape
        let spacingMM: [Double]
        let reference: Volume<Float>
        let evaluation: Volume<Float>
    }

    /// pymedphys' numbers for one case, as the fixture holds them.
    struct Reference: Codable {
        let name: String
        let referenceSHA256: String
        let evaluationSHA256: String
        let seconds: Double
        let passRate: Double
        let evaluated: Double
    }

    struct Fixture: Codable {
        let pymedphys: String
        let measuredOn: String
        let cases: [Reference]
    }

    /// What the table prints about a case (not its arrays: the benchmark keeps no dose in memory
    /// while it times the next case).
    struct Measurement {
        let benchmarkCase: Case
        let shape: VolumeShape
        let referenceSHA256: String
        let evaluationSHA256: String
        /// `dosecurate evaluate` (full map), process start to exit, hash cached as for a frozen case;
        /// best of three, as is `passRateOnlySeconds`.
        let fullSeconds: Double
        let passRateOnlySeconds: Double
        let passRate: Double
        let passRateOnlyPassRate: Double
        let evaluated: Int
        /// The gamma call alone, in process, 2 threads.
        let kernelSeconds: Double
        let profile: GammaProfile
    }

    func prepare(_ benchmarkCase: Case, index: Int) throws -> Prepared {
        let folder = scratch.appendingPathComponent("gamma-\(index)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let caseId = "gamma_\(index)"
        let recipe = PhantomRecipe(caseId: caseId, planType: .sib3Level, formatVersion: .v2_4, patientSeed: 40 + benchmarkCase.seed,
                                   planSeed: 80 + benchmarkCase.seed)
        let casePath = folder.appendingPathComponent("\(caseId).npz").path
        try PhantomCase.generate(recipe, size: benchmarkCase.size).write(to: casePath)
        let opened = try DoseCase.open(path: casePath)
        let dose = try opened.volume("dose")
        let spacing = opened.spacing.millimetres
        let predicted = SyntheticPrediction.dose(from: dose, spacingMM: spacing, seed: benchmarkCase.seed, severity: benchmarkCase.severity)
        let predictionPath = try SyntheticPrediction.write(dose: predicted, shape: dose.shape, caseId: caseId, to: folder.path)
        // The Gy arrays evaluate compares: stored dose × the 70 Gy prescription, in float32.
        let prescription = Float(70)
        let reference = try Volume(shape: dose.shape, elements: dose.elements.map { $0 * prescription })
        let evaluation = try Volume(shape: dose.shape, elements: predicted.map { $0 * prescription })
        let referenceNPY = folder.appendingPathComponent("reference_gy.npy").path, evaluationNPY = folder.appendingPathComponent("evaluation_gy.npy").path
        try NPYFile.write(try NPYArray(shape: dose.shape.dimensions, elements: reference.elements), to: referenceNPY)
        try NPYFile.write(try NPYArray(shape: dose.shape.dimensions, elements: evaluation.elements), to: evaluationNPY)
        return Prepared(benchmarkCase: benchmarkCase, casePath: casePath, predictionPath: predictionPath, referenceNPY: referenceNPY,
                        evaluationNPY: evaluationNPY, referenceSHA256: try Self.fileSHA256(referenceNPY), evaluationSHA256: try Self.fileSHA256(evaluationNPY),
                        shape: dose.shape, spacingMM: spacing, reference: reference, evaluation: evaluation)
    }

    func measure(_ prepared: Prepared) throws -> Measurement {
        let workspace = URL(fileURLWithPath: prepared.casePath).deletingLastPathComponent().path
        let arguments = ["evaluate", "--reference", prepared.casePath, "--prediction", prepared.predictionPath, "--json", "--quiet", "--workspace", workspace]
        // A first run fills the case-hash cache: a pinned evaluation reads a frozen case whose hash is known.
        _ = try Subprocess.run(dosecurate, arguments + ["--gamma-stat", "pass-rate"])
        let output = URL(fileURLWithPath: workspace).appendingPathComponent("evaluate.json").path
        let (full, fullSeconds) = try Self.bestOf3 { try Self.spawn(dosecurate, arguments, output: output) }
        let (passRateOnly, passRateOnlySeconds) = try Self.bestOf3 { try Self.spawn(dosecurate, arguments + ["--gamma-stat", "pass-rate"], output: output) }
        var computed: GammaMap?
        let kernelSeconds = try AuditBenchmark.timed {
            computed = try GammaIndex.compute(reference: prepared.reference, evaluation: prepared.evaluation, spacingMM: prepared.spacingMM)
        }
        guard let map = computed else { throw BenchmarkError("no gamma map for \(prepared.benchmarkCase.name)") }
        let global = EvaluateBenchmark.gammaStatistics(full).global, passRateOnlyGlobal = EvaluateBenchmark.gammaStatistics(passRateOnly).global
        return Measurement(benchmarkCase: prepared.benchmarkCase, shape: prepared.shape, referenceSHA256: prepared.referenceSHA256,
                           evaluationSHA256: prepared.evaluationSHA256, fullSeconds: fullSeconds, passRateOnlySeconds: passRateOnlySeconds,
                           passRate: (global?["passRate"] as? NSNumber)?.doubleValue ?? .nan,
                           passRateOnlyPassRate: (passRateOnlyGlobal?["passRate"] as? NSNumber)?.doubleValue ?? .nan,
                           evaluated: (global?["evaluatedVoxels"] as? NSNumber)?.intValue ?? 0, kernelSeconds: kernelSeconds,
                           profile: GammaProfile(map: map, criteria: .historic))
    }

    /// pymedphys on one prepared case, in a fresh process (numba compiled before the timed call).
    func pymedphys(_ prepared: Prepared) throws -> Reference {
        let line = try Subprocess.run(python, [script, prepared.referenceNPY, prepared.evaluationNPY, "--warmup", "--spacing"]
                                      + prepared.spacingMM.map { String($0) })
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        func number(_ key: String) throws -> Double {
            guard let value = (parsed?[key] as? NSNumber)?.doubleValue else { throw BenchmarkError("pymedphys printed no \(key): \(line)") }
            return value
        }
        return Reference(name: prepared.benchmarkCase.name, referenceSHA256: prepared.referenceSHA256, evaluationSHA256: prepared.evaluationSHA256,
                         seconds: try number("seconds"), passRate: try number("passRate"), evaluated: try number("evaluated"))
    }

    func loadFixture() -> Fixture? {
        guard let data = try? Data(contentsOf: fixture) else { return nil }
        return try? JSONDecoder().decode(Fixture.self, from: data)
    }

    func writeFixture(_ references: [Reference]) throws {
        let version = (try? Subprocess.run(python, ["-c", "import pymedphys; print(pymedphys.__version__)"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(Fixture(pymedphys: version, measuredOn: "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores", cases: references))
        try data.write(to: fixture, options: .atomic)
    }

    /// Runs `executable` as a shell would (posix_spawn, standard output to `output`) and returns
    /// what it printed: Foundation's `Process` adds tens of milliseconds of its own per launch,
    /// which a user does not pay and which would swamp a 0.15 s evaluation.
    static func spawn(_ executable: String, _ arguments: [String], output: String) throws -> String {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child = pid_t()
        let started = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard started == 0 else { throw BenchmarkError("could not start \(executable): error \(started)") }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        guard status == 0 else { throw BenchmarkError("\(executable) \(arguments.first ?? "") exited with status \(status)") }
        return try String(contentsOfFile: output, encoding: .utf8)
    }

    /// Sub-second runs vary by tens of milliseconds between runs: the best of three.
    static func bestOf3(_ run: () throws -> String) throws -> (output: String, seconds: Double) {
        var best = (output: "", seconds: Double.infinity)
        for _ in 0..<3 {
            var output = ""
            let seconds = try AuditBenchmark.timed { output = try run() }
            if seconds < best.seconds { best = (output, seconds) }
        }
        return best
    }

    static func fileSHA256(_ path: String) throws -> String {
        SHA256Hex.of(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }
}

/// Where a gamma map's search time goes, read from the map: a point with γ ≤ 1 stops within the
/// DTA, a failing point searches out to r = γ·DTA, a point capped at max γ searches every shell,
/// and a point within max γ·DTA of a face has part of its search off the grid.
struct GammaProfile {
    let evaluated: Int
    let passed: Int
    let failedBeforeEnd: Int
    let searchedToEnd: Int
    let nearEdge: Int

    init(map: GammaMap, criteria: GammaCriteria) {
        let shape = map.shape, reach = criteria.maxGamma * criteria.distanceMM
        let margin = (0..<3).map { Int((reach / map.spacingMM[$0]).rounded(.up)) }
        var evaluated = 0, passed = 0, failed = 0, capped = 0, nearEdge = 0
        for row in 0..<shape.rows {
            let rowNearEdge = row < margin[0] || row >= shape.rows - margin[0]
            for column in 0..<shape.columns {
                let columnNearEdge = rowNearEdge || column < margin[1] || column >= shape.columns - margin[1]
                let base = shape.offset(row: row, column: column, slice: 0)
                for slice in 0..<shape.slices {
                    let gamma = map.values[base + slice]
                    guard !gamma.isNaN else { continue }
                    evaluated += 1
                    if gamma <= 1 { passed += 1 } else if Double(gamma) >= criteria.maxGamma { capped += 1 } else { failed += 1 }
                    if columnNearEdge || slice < margin[2] || slice >= shape.slices - margin[2] { nearEdge += 1 }
                }
            }
        }
        self.evaluated = evaluated
        self.passed = passed
        failedBeforeEnd = failed
        searchedToEnd = capped
        self.nearEdge = nearEdge
    }

    func share(_ count: Int) -> Double { evaluated > 0 ? 100 * Double(count) / Double(evaluated) : 0 }
}

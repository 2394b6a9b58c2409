import Engine
import Foundation

/// `make bench`: generates its inputs at run time (never committed), measures, prints ratios
/// against the reference doing the same work on the same machine.
@main
enum BenchEntry {
    static func main() async {
        do {
            let python = try pythonWithNumpy()
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-bench-\(getpid())")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            // DOSECURATE_BENCH_KEEP=1 keeps the generated inputs (to profile or re-run one by hand).
            let keep = ProcessInfo.processInfo.environment["DOSECURATE_BENCH_KEEP"] != nil
            defer { if keep { print("inputs kept in \(scratch.path)") } else { try? FileManager.default.removeItem(at: scratch) } }
            let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dosecurate").path
            switch CommandLine.arguments.dropFirst().first {
            case "audit"?:
                try await auditSection(python: python, binary: binary, scratch: scratch)
                return
            case "hostile"?:
                try hostileSection(python: python, binary: binary, scratch: scratch)
                return
            case "freeze"?:
                try freezeSection(binary: binary, scratch: scratch)
                return
            case "evaluate"?:
                try evaluateSection(python: python, binary: binary, scratch: scratch)
                return
            case "gamma"?:
                try gammaSection(python: python, binary: binary, scratch: scratch,
                                 remeasure: CommandLine.arguments.dropFirst(2).contains("--remeasure"))
                return
            case "engine"?:
                try engineSection()
                return
            case "predict"?:
                try predictSection(binary: binary, scratch: scratch, arguments: Array(CommandLine.arguments.dropFirst(2)))
                return
            case "measure"?:
                // Child of predictSection: one command, its wall time and peak RSS.
                try PredictBenchmark.measure(Array(CommandLine.arguments.dropFirst(2)))
                return
            case "run"?:
                try runSection(binary: binary, scratch: scratch)
                return
            case "report"?:
                try reportSection(binary: binary, scratch: scratch)
                return
            case "learn"?:
                try learnSection(binary: binary, scratch: scratch, arguments: Array(CommandLine.arguments.dropFirst(2)))
                return
            case "demo"?:
                try demoSection(binary: binary, scratch: scratch)
                return
            case "engine-step"?, "engine-inference"?:
                // Children of engineSection: one preset's training step, or its inference of one 128³ tile, timed alone.
                let preset = CommandLine.arguments.dropFirst(2).first.flatMap(UNetConfiguration.Preset.init(rawValue:)) ?? .cpu
                let seconds = CommandLine.arguments[1] == "engine-step"
                    ? try EngineBenchmark.trainingStepSeconds(preset: preset, threads: 2, repeats: 2)
                    : try EngineBenchmark.inferenceSeconds(preset: preset, patch: 128, threads: 2, repeats: 2)
                ChildMeasurement(seconds: seconds, peakOf: RUSAGE_SELF).printLine()
                return
            default:
                break
            }
            let casePath = scratch.appendingPathComponent("full_case.npz").path
            let generator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/bench/make_full_case.py").path
            print("generating a full-size case with numpy.savez_compressed …")
            _ = try Subprocess.run(python, [generator, casePath])
            let size = (try FileManager.default.attributesOfItem(atPath: casePath)[.size] as? Int) ?? 0
            print(String(format: "case: 300×300×144, 9 channels, %.1f MB on disk", Double(size) / 1e6))

            let results = try await ReadBenchmark(casePath: casePath, python: python, repeats: 3).run()
            print("\nReading every member (best of 3):")
            for result in results {
                let label = result.label.padding(toLength: 40, withPad: " ", startingAt: 0)
                print("  \(label)" + String(format: " %6.2f s  %6.0f MB/s inflated", result.seconds, result.megabytesPerSecond))
            }
            let seconds = Dictionary(uniqueKeysWithValues: results.map { ($0.label, $0.seconds) })
            let bound = seconds["libarchive read-through (decode bound)"] ?? .nan
            let single = seconds["dosecurate, 1 thread (one pass)"] ?? .nan
            let double = seconds["dosecurate, 2 threads (readAll)"] ?? .nan
            let numpy = seconds["numpy.load, every member"] ?? .nan
            print("\nRatios (target: faster than numpy; within 1.2× of the decode bound):")
            print(String(format: "  numpy.load / dosecurate 1 thread   = %.2f× (>1 means dosecurate is faster)", numpy / single))
            print(String(format: "  numpy.load / dosecurate 2 threads  = %.2f×", numpy / double))
            print(String(format: "  dosecurate 1 thread / decode bound = %.2f× (target ≤ 1.2)", single / bound))
            print(String(format: "  dosecurate 2 threads / decode bound = %.2f×", double / bound))

            print("\nSigned distance of one structure, 300×300×144 at 1×1×2.5 mm (best of 3):")
            if (try? Subprocess.run(python, ["-c", "import scipy"])) == nil {
                print("  scipy not installed for \(python): skipped (pip install scipy)")
            } else {
                let edt = try DistanceTransformBenchmark(python: python, repeats: 3).run()
                print(String(format: "  dosecurate exact EDT (2 threads)  %6.2f s", edt.dosecurate))
                print(String(format: "  scipy distance_transform_edt      %6.2f s", edt.scipy))
                print(String(format: "  scipy / dosecurate = %.2f× (>1 means dosecurate is faster)", edt.scipy / edt.dosecurate))
            }

            print("\nOne full-size phantom (dosecurate phantoms --size full; v2.4 three-level SIB):")
            let phantom = try PhantomBenchmark(python: python, scratch: scratch).run()
            print(String(format: "  generate arrays (anatomy, CT, 9 SDFs, dose)  %6.2f s", phantom.generate))
            print(String(format: "  write .npz (deflate)                         %6.2f s  (%.1f MB)", phantom.write, phantom.megabytes))
            print(String(format: "  numpy.savez_compressed, same arrays          %6.2f s", phantom.numpySave))
            print(String(format: "  dosecurate write / numpy save = %.2f×; whole case %.1f s (target: seconds, not minutes)",
                         phantom.write / phantom.numpySave, phantom.generate + phantom.write))

            try await auditSection(python: python, binary: binary, scratch: scratch)
            try hostileSection(python: python, binary: binary, scratch: scratch)
            try freezeSection(binary: binary, scratch: scratch)
            try evaluateSection(python: python, binary: binary, scratch: scratch)
            try gammaSection(python: python, binary: binary, scratch: scratch, remeasure: false)
            try engineSection()
            try predictSection(binary: binary, scratch: scratch, arguments: [])
            try runSection(binary: binary, scratch: scratch)
            try reportSection(binary: binary, scratch: scratch)
            try learnSection(binary: binary, scratch: scratch, arguments: [])
            try demoSection(binary: binary, scratch: scratch)
        } catch {
            FileHandle.standardError.write(Data("bench: \(error)\n".utf8))
            exit(2)
        }
    }

    /// `dosecurate-bench audit` runs only this part.
    private static func auditSection(python: String, binary: String, scratch: URL) async throws {
        print("\nAudit of 4 full-size phantom cases, cold (--no-cache), 2 cores:")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let audit = try AuditBenchmark(python: python, scratch: scratch, dosecurate: binary,
                                       script: root.appendingPathComponent("Benchmarks/audit_numpy.py").path).run()
        print(String(format: "  dosecurate audit                           %6.2f s  (peak RSS %.0f MB; target < 1200)", audit.dosecurate, audit.peakRSSMegabytes))
        print(String(format: "  bound: libarchive + SHA-256, 2 threads     %6.2f s", audit.bound))
        print(String(format: "  floor: dosecurate's reader (ISA-L) + SHA-256, 2 threads  %6.2f s", audit.readerBound))
        if let numpy = audit.numpy {
            print(String(format: "  NumPy/SciPy script (Benchmarks/)           %6.2f s", numpy))
            print(String(format: "  numpy / dosecurate = %.2f× (target ≥ 3)", numpy / audit.dosecurate))
        } else {
            print("  NumPy/SciPy script: skipped (scipy not installed for \(python))")
        }
        print(String(format: "  dosecurate / bound = %.2f× (target ≤ 1.3); dosecurate / floor = %.2f× (the checks' own cost)",
                     audit.dosecurate / audit.bound, audit.dosecurate / audit.readerBound))
        let cost = try await AuditBenchmark.anatomyChecksCost(folder: scratch.appendingPathComponent("audit-cases").path)
        print(String(format: "  in process, standard catalog %6.2f s; without the 4 anatomy and geometry checks %6.2f s: they cost %.2f s (%.1f %%)",
                     cost.with, cost.without, cost.with - cost.without, 100 * (cost.with - cost.without) / cost.without))
    }

    /// `dosecurate-bench hostile` runs only this part.
    private static func hostileSection(python: String, binary: String, scratch: URL) throws {
        print("\nAudit of a zero bomb beside a readable case, cold (--no-cache):")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for row in try HostileInputBenchmark(python: python, scratch: scratch, dosecurate: binary, repositoryRoot: root).run() {
            print("  " + row.label.padding(toLength: 52, withPad: " ", startingAt: 0)
                  + String(format: "  %5.1f MB file  %6.2f s  peak RSS %4.0f MB (target < 200)", row.fileMegabytes, row.seconds, row.peakRSSMegabytes))
        }
    }

    /// `dosecurate-bench run` runs only this part.
    private static func runSection(binary: String, scratch: URL) throws {
        print("\ndosecurate run -- COMMAND, and PinnedCache (8 small phantom cases, split main):")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let run = try RunBenchmark(dosecurate: binary, scratch: scratch, repositoryRoot: root).run()
        print(String(format: "  first run (builds the training cache)        %6.2f s", run.cacheBuild))
        print(String(format: "  /bin/true alone                              %6.3f s", run.commandAlone))
        print(String(format: "  dosecurate run -- /bin/true (cache exists)   %6.3f s", run.underRun))
        print(String(format: "  run overhead = %.3f s (target < 1)", run.underRun - run.commandAlone))
        print(String(format: "  one epoch, %d patches of 64³ (input + dose, oriented), same seed:", run.patches))
        print(String(format: "    engine TrainingCacheReader   %7.1f patches/s", run.enginePatchesPerSecond))
        print(String(format: "    dosecurate_torch PinnedCache %7.1f patches/s", run.torchPatchesPerSecond))
        print(String(format: "  PinnedCache / engine = %.2f× (target ≥ 1)", run.torchPatchesPerSecond / run.enginePatchesPerSecond))
    }

    /// `dosecurate-bench report` runs only this part.
    private static func reportSection(binary: String, scratch: URL) throws {
        print("\ndosecurate report (evaluated first with --save-gamma; best of 3; 2 cores):")
        let screenshot = FileManager.default.currentDirectoryPath + "/.build/report-screenshot.png"
        let report = try ReportBenchmark(dosecurate: binary, scratch: scratch).run(screenshot: screenshot)
        print(String(format: "  %d small-phantom cases, %d figures                 %6.2f s  (target < 10)", report.smallCases, report.smallFigures,
                     report.smallSeconds))
        print(String(format: "  one full-size case (300×300×144), %d figures       %6.2f s  (target < 5)", report.fullFigures, report.fullSeconds))
        print(String(format: "  audit of %d small cases with every planted defect, cold: %.2f s; with --report (%d evidence figures) %.2f s",
                     report.auditCases, report.auditSeconds, report.evidenceFigures, report.auditWithEvidenceSeconds))
        print(String(format: "  evidence beyond the audit = %.2f s (target < 15)", report.auditWithEvidenceSeconds - report.auditSeconds))
        print(String(format: "  dosecurate view of the full-size case: %.2f s (target < 5), page %.1f MB (target < 30)", report.viewSeconds,
                     report.viewMegabytes))
        print("  screenshot of the 20-case report: " + (report.screenshot ?? "skipped (apt-get install chromium)"))
    }

    /// `dosecurate-bench learn [--minutes M] [--presets tiny,cpu] [--no-torch] [--ptv-underdose-weight W] [--ptv-underdose-targets all|ptv70] …` runs only this
    /// part (the recipe's options override the benchmark's recipe, to try one); `make bench` runs it with 30 minutes for `tiny`.
    private static func learnSection(binary: String, scratch: URL, arguments: [String]) throws {
        func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
        let minutes = option("--minutes").flatMap(Double.init) ?? 30
        let presets = (option("--presets") ?? "tiny").split(separator: ",").map(String.init)
        var recipe = LearnBenchmark.Recipe()
        if let value = option("--lr").flatMap(Double.init) { recipe.learningRate = value }
        if let value = option("--patch").flatMap(Int.init) { recipe.patch = value }
        if let value = option("--warmup-steps").flatMap(Int.init) { recipe.warmupSteps = value }
        if let value = option("--patches-per-volume").flatMap(Int.init) { recipe.patchesPerVolume = value }
        if let value = option("--centre-threshold").flatMap(Double.init) { recipe.centreThreshold = value }
        if let value = option("--ptv-underdose-weight").flatMap(Double.init) { recipe.ptvUnderdoseWeight = value }
        if let value = option("--ptv-underdose-targets") { recipe.ptvUnderdoseTargets = value }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let torchPython = "/usr/bin/python3"
        let withTorch = !arguments.contains("--no-torch") && (try? Subprocess.run(torchPython, ["-c", "import torch, h5py"])) != nil
        let bench = LearnBenchmark(dosecurate: binary, scratch: scratch, repositoryRoot: root, torchPython: torchPython)
        print(String(format: "\nTime to quality: 40 small phantoms (institutions A, B), split 80/10/10, %.0f minutes of training per run, 2 threads:", minutes))
        let workspace = try bench.prepareWorkspace()
        for preset in presets {
            recipe.preset = preset
            print("  recipe: \(recipe.summary)")
            var outcomes = [try bench.engine(recipe, budgetSeconds: minutes * 60, workspace: workspace)]
            if withTorch { outcomes.append(try bench.torch(recipe, budgetSeconds: minutes * 60, workspace: workspace)) }
            print("    trainer            steps  s/step  val |D95 err| ≤ 2 Gy at   test (n=\(outcomes[0].test.cases)): |D95 err|  PTV γ    global γ  MAE      V95 ≥ 95 %  all constraints")
            func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "–" }
            for outcome in outcomes {
                let reached = number(outcome.secondsToReach(ptv70D95ErrorGy: 2).map { $0 / 60 }, "%.1f min")
                print("    " + outcome.trainer.padding(toLength: 18, withPad: " ", startingAt: 0)
                      + String(format: " %6d  %6.3f  ", outcome.steps, outcome.secondsPerStep) + reached.padding(toLength: 27, withPad: " ", startingAt: 0)
                      + "           " + number(outcome.test.ptv70AbsoluteD95ErrorGy, "%5.2f Gy").padding(toLength: 11, withPad: " ", startingAt: 0)
                      + number(outcome.test.ptvRegionGammaPercent, "%5.1f %%").padding(toLength: 9, withPad: " ", startingAt: 0)
                      + number(outcome.test.globalGammaPercent, "%5.1f %%").padding(toLength: 10, withPad: " ", startingAt: 0)
                      + number(outcome.test.maeGy, "%4.2f Gy").padding(toLength: 9, withPad: " ", startingAt: 0)
                      + "\(outcome.test.ptv70V95Passed)/\(outcome.test.cases)".padding(toLength: 12, withPad: " ", startingAt: 0)
                      + "\(outcome.test.acceptancePassed)/\(outcome.test.cases)")
            }
            for outcome in outcomes {
                let points = outcome.curve.map { point in
                    String(format: "%.1f min %@/%@", point.wallSeconds / 60, number(point.ptv70AbsoluteD95ErrorGy, "%.2f"), number(point.ptv70MAEGy, "%.2f"))
                }
                print("    validation curve, \(outcome.trainer) (wall time: PTV70 |D95 err| / PTV70 MAE, Gy): " + points.joined(separator: "; "))
            }
            if let profile = outcomes[0].profile {
                print(String(format: "    engine step profile: read %.0f ms, forward %.0f ms, backward %.0f ms, optimiser %.0f ms",
                             profile.read * 1000, profile.forward * 1000, profile.backward * 1000, profile.optimizer * 1000))
            }
            if outcomes.count == 2, let engine = outcomes[0].secondsToReach(ptv70D95ErrorGy: 2), let torch = outcomes[1].secondsToReach(ptv70D95ErrorGy: 2) {
                print(String(format: "    time to val |D95 err| ≤ 2 Gy: PyTorch / dosecurate = %.2f× (target ≥ 1)", torch / engine))
            }
            print("    targets: test PTV70 |D95 err| ≤ 2 Gy, PTV-region γ ≥ 90 %, MAE ≤ 1.5 Gy within 30 minutes; at least as fast as PyTorch")
        }
    }

    /// `dosecurate-bench freeze` runs only this part.
    private static func freezeSection(binary: String, scratch: URL) throws {
        print("\nFreeze (dosecurate freeze):")
        let freeze = try FreezeBenchmark(dosecurate: binary, scratch: scratch, fullCases: scratch.appendingPathComponent("audit-cases")).run()
        print(String(format: "  200 small cases: generate %.1f s, first freeze (cold audit) %.2f s", freeze.generateSmall, freeze.coldSmall))
        print(String(format: "  200 cached cases, new workspace (every record written)  %6.3f s  (target < 2)", freeze.cachedNewWorkspace))
        print(String(format: "  200 cached cases, version already frozen               %6.3f s  (target < 2)", freeze.cachedUnchanged))
        print(String(format: "  4 full-size cases cold: audit %.2f s, freeze %.2f s", freeze.fullAudit, freeze.fullFreeze))
        print(String(format: "  freeze / audit = %.2f× (target ≤ 1.1)", freeze.fullFreeze / freeze.fullAudit))
    }

    /// `dosecurate-bench evaluate` runs only this part.
    private static func evaluateSection(python: String, binary: String, scratch: URL) throws {
        print("\nEvaluate one full-size pair (300×300×144 at 1×1×2.5 mm), gamma 3 %/3 mm global, full resolution, 2 cores:")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let hasPymedphys = (try? Subprocess.run(python, ["-c", "import pymedphys, numba"])) != nil
        let result = try EvaluateBenchmark(python: python, scratch: scratch, dosecurate: binary,
                                           script: root.appendingPathComponent("Benchmarks/gamma_pymedphys.py").path).run(includePymedphys: hasPymedphys)
        print(String(format: "  dosecurate evaluate, end to end (read, hash, DVH, MAE, gamma, region)   %6.2f s  (target < 10)", result.dosecurateSeconds))
        print(String(format: "  the same with the case hash cached (a frozen case, pinned evaluation)  %6.2f s", result.dosecurateWarmSeconds))
        print(String(format: "  gamma pass: %.2f %% global over %d voxels, %.2f %% PTV region", result.dosecuratePassRate, result.evaluatedVoxels,
                     result.dosecuratePTVPassRate))
        print(String(format: "  --gamma-stat pass-rate, hash cached                                   %6.2f s  (pass %.2f %%, full map %.2f %%)",
                     result.passRateOnlySeconds, result.passRateOnlyPassRate, result.dosecuratePassRate))
        guard let pymedphys = result.pymedphys, let seconds = pymedphys["seconds"], let passRate = pymedphys["passRate"] else {
            print("  pymedphys: skipped (pip install pymedphys==0.41.0 numba for \(python))")
            return
        }
        print(String(format: "  pymedphys 0.41 gamma alone, timed once this run             %6.1f s  (pass %.2f %% over %.0f voxels)", seconds, passRate,
                     pymedphys["evaluated"] ?? .nan))
        print(String(format: "  pymedphys / dosecurate = %.1f× (hash cached: %.1f×; target ≥ 50; pass-rate only: %.1f×); pass-rate difference %.3f points (target ≤ 0.1)",
                     seconds / result.dosecurateSeconds, seconds / result.dosecurateWarmSeconds, seconds / result.passRateOnlySeconds,
                     abs(passRate - result.dosecuratePassRate)))
    }

    /// `dosecurate-bench gamma` runs only this part; `--remeasure` first re-runs pymedphys on every
    /// case and rewrites its fixture (`make gamma-reference`).
    private static func gammaSection(python: String, binary: String, scratch: URL, remeasure: Bool) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let benchmark = GammaBenchmark(python: python, scratch: scratch, dosecurate: binary,
                                       script: root.appendingPathComponent("Benchmarks/gamma_pymedphys.py").path,
                                       fixture: root.appendingPathComponent("Benchmarks/gamma_hard_pymedphys.json"))
        print("\nGamma where it is hard: 3 %/3 mm global, full resolution, 2 cores; dosecurate evaluate end to end (hash cached,")
        print("best of 3) against pymedphys 0.41's gamma call alone (numba compiled first):")
        var references: [GammaBenchmark.Reference] = []
        var measurements: [GammaBenchmark.Measurement] = []
        for (index, benchmarkCase) in GammaBenchmark.cases.enumerated() {
            let prepared = try benchmark.prepare(benchmarkCase, index: index)
            if remeasure {
                print("  pymedphys on \(benchmarkCase.name) …")
                fflush(nil)
                references.append(try benchmark.pymedphys(prepared))
            }
            measurements.append(try benchmark.measure(prepared))
        }
        if remeasure { try benchmark.writeFixture(references) }
        let fixture = benchmark.loadFixture()
        if let fixture { print("  pymedphys \(fixture.pymedphys), measured on \(fixture.measuredOn) (Benchmarks/gamma_hard_pymedphys.json)") }
        print("  case                           grid          evaluated   full s  points/s  pass %   rate s |  pymedphys s  pass %   full×  rate×")
        var fullRatios: [Double] = [], rateRatios: [Double] = []
        for measurement in measurements {
            let shape = measurement.shape
            let grid = "\(shape.rows)×\(shape.columns)×\(shape.slices)".padding(toLength: 13, withPad: " ", startingAt: 0)
            var line = String(format: "  %@ %@ %9d %8.2f %9.2e %7.2f %8.2f", measurement.benchmarkCase.name.padding(toLength: 30, withPad: " ", startingAt: 0), grid,
                              measurement.evaluated, measurement.fullSeconds, Double(measurement.evaluated) / measurement.fullSeconds,
                              measurement.passRate, measurement.passRateOnlySeconds)
            let reference = fixture?.cases.first { $0.name == measurement.benchmarkCase.name }
            if let reference, reference.referenceSHA256 == measurement.referenceSHA256, reference.evaluationSHA256 == measurement.evaluationSHA256 {
                fullRatios.append(reference.seconds / measurement.fullSeconds)
                rateRatios.append(reference.seconds / measurement.passRateOnlySeconds)
                line += String(format: " | %11.1f %7.2f %7.1f %6.1f", reference.seconds, reference.passRate, fullRatios.last ?? .nan, rateRatios.last ?? .nan)
                if abs(reference.passRate - measurement.passRate) > 0.1 || abs(measurement.passRateOnlyPassRate - measurement.passRate) > 1e-9 {
                    line += String(format: "  PASS RATES DIFFER (pass-rate mode %.2f %%)", measurement.passRateOnlyPassRate)
                }
            } else {
                line += reference == nil ? " | not in the fixture (make gamma-reference)" : " | fixture is stale: other arrays (make gamma-reference)"
            }
            print(line)
        }
        print("  where the time goes (share of evaluated points; gamma alone = the in-process call, 2 threads):")
        print("  case                           pass ≤ DTA  fail < max γ  search to end  near an edge   gamma alone s  of full")
        for measurement in measurements {
            let profile = measurement.profile
            print(String(format: "  %@ %9.1f %% %11.1f %% %12.1f %% %11.1f %% %13.2f %7.0f %%",
                         measurement.benchmarkCase.name.padding(toLength: 30, withPad: " ", startingAt: 0), profile.share(profile.passed),
                         profile.share(profile.failedBeforeEnd), profile.share(profile.searchedToEnd), profile.share(profile.nearEdge),
                         measurement.kernelSeconds, 100 * measurement.kernelSeconds / measurement.fullSeconds))
        }
        if let worst = fullRatios.min(), let worstRate = rateRatios.min() {
            print(String(format: "  slowest ratio: full map %.1f× (target ≥ 100), pass-rate only %.1f× (target ≥ 300)", worst, worstRate))
        }
        if let hardest = measurements.filter({ $0.benchmarkCase.size == .full }).min(by: { $0.passRate < $1.passRate }) {
            print(String(format: "  full-size case at %.1f %% pass: %.2f s end to end (target < 5 s)", hardest.passRate, hardest.fullSeconds))
        }
    }

    /// `dosecurate-bench predict [PRESET [PATCH]]` runs only this part (default: `cpu` then `paper`, 128³ tiles).
    private static func predictSection(binary: String, scratch: URL, arguments: [String]) throws {
        let presets = arguments.first.flatMap(UNetConfiguration.Preset.init(rawValue:)).map { [$0] } ?? [.cpu, .paper]
        let patch = arguments.dropFirst().first.flatMap(Int.init) ?? 128, threads = 2
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let hasTorch = (try? Subprocess.run("/usr/bin/python3", ["-c", "import torch"])) != nil
        let extent = PredictBenchmark.extent.map(String.init).joined(separator: "×")
        print("\nPredict one full-size phantom (\(extent), 10 inputs), fresh weights, \(patch)³ tiles at half-patch stride, Gaussian blending, \(threads) threads:")
        for preset in presets {
            let result = try PredictBenchmark(binary: binary, scratch: scratch, preset: preset, patch: patch, threads: threads)
                .run(torchScript: hasTorch ? root.appendingPathComponent("Benchmarks/predict_torch.py").path : nil)
            var line = "  " + "\(preset.rawValue):".padding(toLength: 7, withPad: " ", startingAt: 0)
            line += String(format: " %d tiles; engine (the whole predict command) %6.1f s, peak RSS %5.0f MB", result.tiles,
                           result.engine.seconds, result.engine.peakMB)
            if let torch = result.torch {
                line += String(format: "; torch (tiles and blending) %6.1f s, peak RSS %5.0f MB; torch/engine %.2f×",
                               torch.seconds, torch.peakMB, torch.seconds / result.engine.seconds)
            } else {
                line += "; PyTorch skipped (apt-get install python3-torch)"
            }
            print(line + (preset == .paper ? " (targets: ≥ 1×, peak RSS ≤ 2048 MB)" : ""))
        }
    }

    /// `dosecurate-bench engine` runs only this part.
    private static func engineSection() throws {
        let threads = 2
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let torchPython = "/usr/bin/python3"
        let hasTorch = (try? Subprocess.run(torchPython, ["-c", "import torch"])) != nil
        print("\nEngine layers: forward + backward, batch 2, the paper U-Net's shapes at a 64³ patch, \(threads) threads (best of 2):")
        let sgemm = EngineBenchmark.sgemmGigaflops(lanes: threads)
        print(String(format: "  OpenBLAS sgemm 2048²: %.0f GFLOP/s as the engine runs it (%d single-thread products at once), %.0f GFLOP/s with OpenBLAS threads",
                     sgemm.independent, threads, sgemm.blasThreaded))
        print("  engine: \(try CPUBackend(threads: threads).summary)")
        let benchmark = EngineBenchmark(threads: threads, repeats: 2, script: root.appendingPathComponent("Benchmarks/engine_layers_torch.py").path)
        let result = try benchmark.run(python: hasTorch ? torchPython : nil)
        if let torch = result.torch { print("  reference: \(torch)") } else { print("  PyTorch: skipped (apt-get install python3-torch)") }
        print("  shape            Cin→Cout  k  size   engine s  GFLOP/s   torch s  GFLOP/s  torch/engine  scratch MB")
        var slowest = Double.infinity
        for row in result.convs {
            let shape = row.shape
            var line = "  " + shape.name.padding(toLength: 16, withPad: " ", startingAt: 0)
            line += String(format: " %4d→%-4d %d  %3d³  %8.3f  %7.1f", shape.input, shape.output, shape.kernel, shape.size,
                              row.engine, row.flops / row.engine / 1e9)
            if let torch = row.torch {
                line += String(format: "  %8.3f  %7.1f  %11.2f×", torch, row.flops / torch / 1e9, torch / row.engine)
                slowest = min(slowest, torch / row.engine)
            }
            print(line + String(format: "  %10.1f", Double(row.scratchBytes) / 1e6))
        }
        func ratio(_ pair: (Double, Double?)) -> String { pair.1.map { String(format: "torch %.3f s, torch/engine %.2f×", $0, $0 / pair.0) } ?? "torch skipped" }
        print(String(format: "  GroupNorm(8, 48) at 64³: engine %.3f s; ", result.groupNorm.0) + ratio(result.groupNorm))
        print(String(format: "  trilinear ×2, 48 channels 32³→64³: engine %.3f s; ", result.upsample.0) + ratio(result.upsample))
        let total = result.convs.reduce(0) { $0 + $1.engine }, torchTotal = result.convs.compactMap(\.torch).reduce(0, +)
        if slowest.isFinite {
            print(String(format: "  all convs: engine %.2f s, torch %.2f s (torch/engine %.2f×); slowest shape torch/engine %.2f× (target ≥ 1 for every shape)",
                         total, torchTotal, torchTotal / total, slowest))
        }

        print("\nBaselineUNet3D training step (batch 2, 64³, 10 inputs, depth 4; forward, loss, backward, clipping, AdamW), \(threads) threads, best of 2:")
        let bench = CommandLine.arguments[0]
        for preset in [UNetConfiguration.Preset.cpu, .paper] {
            guard let engine = ChildMeasurement(parsing: try Subprocess.run(bench, ["engine-step", preset.rawValue])) else { throw BenchmarkError("engine-step printed no timing") }
            var line = "  " + "\(preset.rawValue) (b = \(preset.baseWidth)):".padding(toLength: 15, withPad: " ", startingAt: 0)
            line += String(format: " engine %6.2f s, peak RSS %5.0f MB", engine.seconds, engine.peakMB)
            let job = "{\"threads\": \(threads), \"repeats\": 2, \"batch\": 2, \"size\": 64, \"inputs\": 10, \"base\": \(preset.baseWidth), \"depth\": 4}"
            if hasTorch, let torch = ChildMeasurement(parsing: try Subprocess.run(torchPython, [root.appendingPathComponent("Benchmarks/engine_step_torch.py").path, job])) {
                line += String(format: "; torch %6.2f s, peak RSS %5.0f MB; torch/engine %.2f× (target ≥ 1)", torch.seconds, torch.peakMB, torch.seconds / engine.seconds)
            }
            print(line)
        }

        print("\nBaselineUNet3D inference of one 128³ tile (what predict runs per tile; 10 inputs, depth 4), \(threads) threads, best of 2:")
        for preset in [UNetConfiguration.Preset.cpu, .paper] {
            guard let engine = ChildMeasurement(parsing: try Subprocess.run(bench, ["engine-inference", preset.rawValue])) else {
                throw BenchmarkError("engine-inference printed no timing")
            }
            var line = "  " + "\(preset.rawValue) (b = \(preset.baseWidth)):".padding(toLength: 15, withPad: " ", startingAt: 0)
            line += String(format: " engine %6.2f s, peak RSS %5.0f MB", engine.seconds, engine.peakMB)
            if hasTorch, let torch = ChildMeasurement(parsing: try Subprocess.run(torchPython, [root.appendingPathComponent("Benchmarks/engine_inference_torch.py").path,
                                                                              preset.rawValue, "128", "\(threads)", "2"])) {
                line += String(format: "; torch %6.2f s, peak RSS %5.0f MB; torch/engine %.2f× (target ≥ 1)", torch.seconds, torch.peakMB, torch.seconds / engine.seconds)
            }
            print(line + (preset == .paper ? String(format: " (peak RSS target ≤ 2048 MB)") : ""))
        }
    }

    /// `dosecurate-bench demo` runs only this part.
    private static func demoSection(binary: String, scratch: URL) throws {
        print("\ndosecurate demo (the reference cohort, 30 small phantoms → audit → freeze → split → train tiny → predict → evaluate → reports), 2 cores:")
        print("  " + (try DemoBenchmark(dosecurate: binary, scratch: scratch).demo()) + "  (target: under 10 minutes)")
    }

    private static func pythonWithNumpy() throws -> String {
        for candidate in ["python3", "/usr/bin/python3"] {
            if (try? Subprocess.run(candidate, ["-c", "import numpy"])) != nil { return candidate }
        }
        throw BenchmarkError("no python3 with numpy found; install python3-numpy to compare against numpy.load")
    }
}

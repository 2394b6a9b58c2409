import Engine
import Foundation

/// `dosecurate predict` of one full-size phantom (300×300×144) with fresh weights of a preset, on
/// the tiles predict picks for weights that record no patch (96³, half-patch stride), against
/// PyTorch running the same model on the same tiles (`Benchmarks/predict_torch.py`). Each side
/// runs in its own child process so its peak RSS is its own.
struct PredictBenchmark {
    let binary: String
    let scratch: URL
    let preset: UNetConfiguration.Preset
    let patch: Int
    let threads: Int

    struct Result { let tiles: Int, engine: ChildMeasurement, torch: ChildMeasurement? }

    static let extent = [300, 300, 144]

    func run(torchScript: String?) throws -> Result {
        let folder = scratch.appendingPathComponent("predict-\(preset.rawValue)")
        let cases = folder.appendingPathComponent("cases").path, weights = folder.appendingPathComponent("weights.safetensors").path
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = try Subprocess.run(binary, ["phantoms", cases, "--cases", "1", "--size", "full", "--defects", "none", "--seed", "19", "--quiet"])
        _ = try Subprocess.run(binary, ["model", "init", "--preset", preset.rawValue, "-o", weights])
        let engine = try Self.measuredChild(binary, ["predict", "--cases", cases, "--weights", weights, "--patch", "\(patch)",
                                                     "-o", folder.appendingPathComponent("predictions").path, "-j", "\(threads)", "--quiet"])
        let window = try SlidingWindow(patch: [patch, patch, patch])
        let tiles = window.tiles(extent: Self.extent).count
        let torch = try torchScript.map { script -> ChildMeasurement in
            let output = try Subprocess.run("/usr/bin/python3", [script, preset.rawValue] + Self.extent.map(String.init) + ["\(patch)", "\(threads)"])
            guard let fields = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Double], fields["tiles"] == Double(tiles),
                  let measured = ChildMeasurement(fields: fields) else {
                throw BenchmarkError("predict_torch.py printed \(output) (expected \(tiles) tiles)")
            }
            return measured
        }
        return Result(tiles: tiles, engine: engine, torch: torch)
    }

    /// Runs a command through `dosecurate-bench measure`, a fresh child whose only child is the
    /// command, so `RUSAGE_CHILDREN` holds the command's peak RSS and nothing else's.
    private static func measuredChild(_ executable: String, _ arguments: [String]) throws -> ChildMeasurement {
        let output = try Subprocess.run(CommandLine.arguments[0], ["measure", executable] + arguments)
        guard let measured = ChildMeasurement(parsing: output) else { throw BenchmarkError("measure printed \(output)") }
        return measured
    }

    /// `dosecurate-bench measure EXECUTABLE ARGUMENTS…`: runs the command (its output discarded)
    /// and prints {"seconds": wall time, "peak_rss_mb": its peak RSS}.
    static func measure(_ command: [String]) throws {
        guard let executable = command.first else { throw BenchmarkError("measure: no command") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(command.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try process.run()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard process.terminationStatus == 0 else { throw BenchmarkError("\(executable) exited \(process.terminationStatus)") }
        ChildMeasurement(seconds: seconds, peakOf: RUSAGE_CHILDREN).printLine()
    }
}

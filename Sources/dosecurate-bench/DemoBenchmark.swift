import Foundation
import Support

/// The end-to-end numbers of issue 14: `dosecurate predict` of one full-size case with random
/// `cpu` and `paper` weights, and the time of each step of `dosecurate demo`.
struct DemoBenchmark {
    let dosecurate: String
    let scratch: URL

    struct Prediction {
        let preset: String
        let seconds: Double
        let tiles: Int
    }

    /// `predict` of `casePath` with freshly initialised weights of each preset (patch 128³,
    /// half overlap, both cores), timed end to end (reading, tiling, writing).
    func predictions(casePath: String) throws -> [Prediction] {
        let cases = scratch.appendingPathComponent("predict-case")
        try FileManager.default.createDirectory(at: cases, withIntermediateDirectories: true)
        let link = cases.appendingPathComponent("full_case.npz").path
        if !FileManager.default.fileExists(atPath: link) { try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: casePath) }
        return try ["cpu", "paper"].map { preset in
            let weights = scratch.appendingPathComponent("\(preset).safetensors").path
            _ = try Subprocess.run(dosecurate, ["model", "init", "--preset", preset, "--inputs", "10", "--output", weights])
            let out = scratch.appendingPathComponent("predictions-\(preset)").path
            let start = Date()
            let printed = try Subprocess.run(dosecurate, ["predict", "--weights", weights, "--cases", cases.path, "--output", out, "--patch", "128", "--json"])
            let seconds = Date().timeIntervalSince(start)
            let tiles = try JSONValue.parse(Array(printed.utf8))["written"]?.arrayValue?.first?["tiles"]?.intValue ?? 0
            return Prediction(preset: preset, seconds: seconds, tiles: tiles)
        }
    }

    /// `dosecurate demo` in a fresh folder: `done in N s: step N s, …`, from its --json summary.
    func demo() throws -> String {
        let workspace = scratch.appendingPathComponent("demo").path
        let summary = try JSONValue.parse(Array(try Subprocess.run(dosecurate, ["demo", "--workspace", workspace, "--json"]).utf8))
        guard let total = summary["seconds"]?.doubleValue, let steps = summary["steps"]?.arrayValue else {
            throw BenchmarkError("dosecurate demo --json printed no step times")
        }
        let times = steps.compactMap { step in
            step["step"]?.stringValue.flatMap { name in step["seconds"]?.doubleValue.map { "\(name) " + String(format: "%.0f s", $0) } }
        }
        return String(format: "done in %.0f s: ", total) + times.joined(separator: ", ")
    }
}

import Foundation

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
            _ = try Subprocess.run(dosecurate, ["model", "init", "--preset", preset, "--inputs", "10", "--out", weights])
            let out = scratch.appendingPathComponent("predictions-\(preset)").path
            let start = Date()
            let printed = try Subprocess.run(dosecurate, ["predict", "--weights", weights, "--cases", cases.path, "--out", out, "--patch", "128", "--quiet"])
            let seconds = Date().timeIntervalSince(start)
            let tiles = printed.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: ": "), let end = line.range(of: " tiles") else { return nil }
                return Int(line[range.upperBound..<end.lowerBound])
            }.first ?? 0
            return Prediction(preset: preset, seconds: seconds, tiles: tiles)
        }
    }

    /// `dosecurate demo` in a fresh folder: its closing line, `done in N s: step N s, …`.
    func demo() throws -> String {
        let workspace = scratch.appendingPathComponent("demo").path
        let printed = try Subprocess.run(dosecurate, ["demo", "--workspace", workspace, "--quiet"])
        guard let line = printed.split(separator: "\n").last(where: { $0.hasPrefix("done in ") }) else {
            throw BenchmarkError("dosecurate demo printed no closing line")
        }
        return String(line)
    }
}

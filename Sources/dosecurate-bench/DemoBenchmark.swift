import Foundation
import Support

/// The time of each step of `dosecurate demo` (the full-size `predict` is `PredictBenchmark`).
struct DemoBenchmark {
    let dosecurate: String
    let scratch: URL

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

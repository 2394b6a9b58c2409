import Foundation

/// What a measured child process prints and its parent reads back: one JSON line
/// {"seconds": …, "peak_rss_mb": …}. The engine's step and inference children, `measure`, and the
/// PyTorch scripts in Benchmarks/ all print it.
struct ChildMeasurement {
    let seconds: Double
    let peakMB: Double

    /// The peak RSS so far, in MB, of this process (`RUSAGE_SELF`) or of its waited-for children
    /// (`RUSAGE_CHILDREN`).
    init(seconds: Double, peakOf who: __rusage_who) {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        (self.seconds, peakMB) = (seconds, Double(usage.ru_maxrss) / 1024)
    }

    /// The line a child printed, with any other keys it carries (nil when the line is not one).
    init?(parsing output: String) {
        guard let fields = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Double] else { return nil }
        self.init(fields: fields)
    }

    init?(fields: [String: Double]) {
        guard let seconds = fields["seconds"], let peak = fields["peak_rss_mb"] else { return nil }
        (self.seconds, peakMB) = (seconds, peak)
    }

    func printLine() {
        print("{\"seconds\": \(seconds), \"peak_rss_mb\": \(peakMB)}")
    }
}

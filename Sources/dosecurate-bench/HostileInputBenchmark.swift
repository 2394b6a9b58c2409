import Foundation

/// Issue 30's memory bound: files whose headers declare far more than they hold cost the audit
/// what the data costs, not what the header says. Each zero bomb (`scripts/bench/make_zero_bomb.py`,
/// true sizes and CRC) sits beside a readable case in its own folder; the release binary audits it
/// cold, and its time and peak RSS are printed (target: RSS < 200 MB).
struct HostileInputBenchmark {
    let python: String
    let scratch: URL
    let dosecurate: String
    let repositoryRoot: URL

    struct Row {
        let label: String
        let fileMegabytes: Double
        let seconds: Double
        let peakRSSMegabytes: Double
    }

    func run() throws -> [Row] {
        let generator = repositoryRoot.appendingPathComponent("scripts/bench/make_zero_bomb.py").path
        let readable = repositoryRoot.appendingPathComponent("Tests/dosecurateTests/Fixtures/hostile/good_case.npz")
        return try [(12, "dose declares 12 GiB (over the 4 GiB member ceiling)"), (3, "dose declares 3 GiB (under it; off ct's grid)")]
            .map { gib, label in
                let folder = scratch.appendingPathComponent("zero-bomb-\(gib)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let bomb = folder.appendingPathComponent("bomb.npz").path
                _ = try Subprocess.run(python, [generator, bomb, "\(gib)"])
                try FileManager.default.copyItem(at: readable, to: folder.appendingPathComponent("readable.npz"))
                let size = (try FileManager.default.attributesOfItem(atPath: bomb)[.size] as? Int) ?? 0
                let (seconds, peak) = try AuditBenchmark.timedWithPeakRSS(python: python, [dosecurate, "audit", "--no-cache", "--json", folder.path])
                try? FileManager.default.removeItem(at: folder)
                return Row(label: label, fileMegabytes: Double(size) / 1e6, seconds: seconds, peakRSSMegabytes: peak)
            }
    }
}

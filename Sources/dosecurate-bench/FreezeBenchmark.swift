import Foundation

/// Issue 7's benchmark. Freezing files already audited must cost stat calls, not reads: 200 small
/// cases frozen from a warm cache into a new workspace (every record written) and again where the
/// version already exists. A cold freeze of the four full-size audit cases against the audit alone
/// on the same files: the manifest and reports must add next to nothing.
struct FreezeBenchmark {
    let dosecurate: String
    let scratch: URL
    /// The four full-size cases of `AuditBenchmark` (written when absent).
    let fullCases: URL

    struct Result {
        let generateSmall: Double
        let coldSmall: Double
        let cachedNewWorkspace: Double
        let cachedUnchanged: Double
        let fullAudit: Double
        let fullFreeze: Double
    }

    func run() throws -> Result {
        _ = try AuditBenchmark.writeCases(to: fullCases)
        let small = scratch.appendingPathComponent("freeze-200")
        let cohort = small.appendingPathComponent("cohort").path
        let generate = try AuditBenchmark.timed {
            _ = try Subprocess.run(dosecurate, ["phantoms", cohort, "--cases", "200", "--size", "small", "--seed", "3", "--institutions", "A,B", "--quiet"])
        }
        let primed = small.appendingPathComponent("primed").path, fresh = small.appendingPathComponent("fresh")
        let cold = try AuditBenchmark.timed { _ = try Subprocess.run(dosecurate, ["freeze", cohort, "--workspace", primed, "--quiet"]) }
        try FileManager.default.createDirectory(at: fresh.appendingPathComponent(".dosecurate"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(primed)/.dosecurate/cache", toPath: fresh.appendingPathComponent(".dosecurate/cache").path)
        let cachedNew = try AuditBenchmark.timed { _ = try Subprocess.run(dosecurate, ["freeze", cohort, "--workspace", fresh.path, "--quiet"]) }
        let unchanged = try AuditBenchmark.timed { _ = try Subprocess.run(dosecurate, ["freeze", cohort, "--workspace", primed, "--quiet"]) }

        let fullAudit = try AuditBenchmark.timed {
            _ = try Subprocess.run(dosecurate, ["audit", "--no-cache", "--quiet", "--json", fullCases.path])
        }
        let fullWorkspace = scratch.appendingPathComponent("freeze-full").path
        let fullFreeze = try AuditBenchmark.timed {
            _ = try Subprocess.run(dosecurate, ["freeze", "--no-cache", "--quiet", fullCases.path, "--workspace", fullWorkspace])
        }
        return Result(generateSmall: generate, coldSmall: cold, cachedNewWorkspace: cachedNew, cachedUnchanged: unchanged,
                      fullAudit: fullAudit, fullFreeze: fullFreeze)
    }
}

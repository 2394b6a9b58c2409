import ArgumentParser
import Audit
import Foundation

/// `--jobs`, for every command that reads cases.
struct JobsOption: ParsableArguments {
    @Option(name: .long, help: "Threads (default: one per core): cases read at once when auditing, gamma workers when evaluating.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }
}

/// How the commands that audit (`audit`, `freeze`) run the audit.
struct AuditRunOptions: ParsableArguments {
    @Option(name: .long, help: "A policy file (JSON): thresholds and severities by check id (and, for freeze, justified inclusions).")
    var policy: String?

    @Flag(name: .long, help: "Read every case again, ignoring and not updating the cache.")
    var noCache = false

    @OptionGroup var reading: JobsOption

    func loadPolicy() throws -> AuditPolicy {
        try policy.map { try AuditPolicy.load(path: $0) } ?? .standard
    }

    func auditOptions(cacheDirectory: String) throws -> AuditOptions {
        AuditOptions(workers: reading.jobs, cacheDirectory: noCache ? nil : cacheDirectory, policy: try loadPolicy())
    }
}

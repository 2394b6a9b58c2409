import ArgumentParser
import Audit
import Foundation

/// How the commands that audit (`audit`, `freeze`) run the audit.
struct AuditRunOptions: ParsableArguments {
    @Option(name: .long, help: "A policy file (JSON): thresholds and severities by check id (and, for freeze, justified inclusions).")
    var policy: String?

    @Flag(name: .long, help: "Read every case again, ignoring and not updating the cache.")
    var noCache = false

    @OptionGroup var threads: ThreadsOption

    func loadPolicy() throws -> AuditPolicy {
        try policy.map { try AuditPolicy.load(path: $0) } ?? .standard
    }

    func auditOptions(cacheDirectory: String) throws -> AuditOptions {
        AuditOptions(workers: threads.count, cacheDirectory: noCache ? nil : cacheDirectory, policy: try loadPolicy())
    }
}

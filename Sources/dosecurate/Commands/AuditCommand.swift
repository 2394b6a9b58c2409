import ArgumentParser
import Audit
import Foundation
import Reports
#if canImport(Glibc)
import Glibc
#endif

extension Severity: ExpressibleByArgument {}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check .npz cases (files, folders, .zip/.tar/.tar.gz deliveries) and report every finding.",
        discussion: "Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 when a path cannot be read at all."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Case files, folders (searched recursively for *.npz) and delivery archives.")
    var paths: [String]

    @Option(name: .long, help: "Exit 1 when a finding is at least this severe: error, warning or info.")
    var failOn: Severity = .error

    @Option(name: .long, help: "Also write the report as JUnit XML to this file.")
    var junit: String?

    @OptionGroup var auditing: AuditRunOptions

    func run() async throws {
        let options = try auditing.auditOptions(cacheDirectory: global.cacheDirectory())
        let progress = ProgressLine(total: 0, enabled: !global.quiet)
        let report = try await Auditor.run(paths: paths, options: options) { step in
            progress.show(done: step.done, total: step.total, item: step.file)
        }
        progress.finish()
        if global.json {
            FileHandle.standardOutput.write(try AuditJSON.render(report))
            print()
        } else {
            print(AuditTable.render(report, colour: isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil),
                  terminator: "")
        }
        if let junit { try AuditJUnitXML.write(report, to: junit) }
        if report.hasFinding(atLeast: failOn) { throw ExitStatus.dataProblems.exitCode }
    }
}

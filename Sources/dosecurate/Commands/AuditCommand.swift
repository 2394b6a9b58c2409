import ArgumentParser
import Audit
import Foundation
import Reports
import Workflows

extension Severity: ExpressibleByArgument {}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check .npz cases (files, folders, .zip/.tar/.tar.gz deliveries) and report every finding.",
        discussion: "Exit status: 0 when no finding reaches --fail-on, 1 when one does, 2 when a path cannot be read at all."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "Case files, folders (searched recursively for *.npz) and delivery archives.")
    var paths: [String]

    @Option(name: .long, help: "Exit 1 when a finding is at least this severe: error, warning or info.")
    var failOn: Severity = .error

    @Option(name: .long, help: "Also write the report as JUnit XML to this file.")
    var junit: String?

    @Option(name: .long, help: "Also write the audit's HTML report (findings with their evidence figures) to this folder.")
    var report: String?

    @OptionGroup var auditing: AuditRunOptions

    func run() async throws {
        let options = try auditing.auditOptions(cacheDirectory: space.cacheDirectory())
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let report = try await Auditor.run(paths: paths, options: options) { step in
            progress.show(done: step.done, total: step.total, item: step.file)
        }
        progress.finish()
        if printing.json {
            FileHandle.standardOutput.write(try AuditJSON.render(report))
            print()
        } else if verbosity.quiet {
            print(AuditTable.summaryLine(report))
        } else {
            print(AuditTable.render(report, colour: Terminal.colour), terminator: "")
        }
        if let junit { try AuditJUnitXML.write(report, to: junit) }
        if let folder = self.report {
            let written = try await AuditReportWriter.write(report, name: paths.joined(separator: ", "), to: folder, path: { $0 },
                                                            workers: auditing.threads.count) { progress.show($0) }
            progress.finish()
            // With --json, standard output holds the JSON alone.
            let lines = (verbosity.quiet ? [] : written.notes.map { "note: \($0)" }) + ["report: \(URL(fileURLWithPath: folder).standardizedFileURL.path)/index.html"]
            if printing.json { FileHandle.standardError.write(lines.joined(separator: "\n") + "\n") } else { lines.forEach { print($0) } }
        }
        if report.hasFinding(atLeast: failOn) { throw ExitStatus.dataProblems.exitCode }
    }
}

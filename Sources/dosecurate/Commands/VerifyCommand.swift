import ArgumentParser
import Foundation
import Lineage
import Reports

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Prove the workspace's records and the cases they name are unchanged.",
        discussion: """
            Re-hashes every record's identity, re-derives the audit digest each version pins from its audit report (and \
            its JUnit XML from the report), and re-hashes every case of each version's latest revision (unchanged files \
            through the hash cache unless --deep, which also replaces the cache entries of the files it re-reads). A \
            read-only workspace is verified as it stands, writing nothing. Exit status: 0 when nothing drifted, 1 when \
            something did (each finding is named), 2 when the workspace cannot be read.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Flag(help: "Re-read and re-hash every case, trusting no cache, and replace the hash cache's entries with what was read.")
    var deep = false

    @OptionGroup var threads: ThreadsOption

    func run() async throws {
        let workspace = try space.existingWorkspace()
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let report = try await WorkspaceVerifier.verify(workspace, deep: deep, workers: threads.count, renderJUnit: AuditJUnitXML.render) { step in
            progress.show(done: step.done, total: step.total, item: step.file)
        }
        progress.finish()
        if printing.json {
            try JSONOutput.print(report, result: "verify")
        } else if !verbosity.quiet || !report.isClean {
            print(VerificationText.render(report), terminator: "")
        }
        if !report.isClean { throw ExitStatus.dataProblems.exitCode }
    }
}

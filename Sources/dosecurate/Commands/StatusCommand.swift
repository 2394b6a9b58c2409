import ArgumentParser
import Foundation
import Lineage
import Reports

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what changed since the records were written: case files modified, deleted or new, records edited.",
        discussion: """
            Like `git status` / `dvc status`: every finding `verify` makes (unchanged files trusted to the hash cache), \
            plus new .npz files (or archive members) under the folders a version was frozen from that no version records. \
            Reads only; refuses a folder that is not a workspace. Exit status: 0 nothing changed, 1 something did, 2 not a \
            workspace or unreadable.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption
    @OptionGroup var threads: ThreadsOption

    func run() async throws {
        let workspace = try space.existingWorkspace()
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let status = try await WorkspaceStatus.compute(workspace, workers: threads.count) { step in
            progress.show(done: step.done, total: step.total, item: step.file)
        }
        progress.finish()
        if printing.json {
            try JSONOutput.print(status, result: "status")
        } else if !verbosity.quiet || !status.isClean {
            print(StatusText.render(status), terminator: "")
        }
        if !status.isClean { throw ExitStatus.dataProblems.exitCode }
    }
}

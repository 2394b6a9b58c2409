import ArgumentParser
import Foundation
import Lineage
import Reports
import Support
import Workflows

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw the figures of an evaluation, a run or a comparison as one self-contained HTML page, with every figure as SVG (and PNG).",
        discussion: """
            SUBJECT is, in this order: a path to a record file; a run id (runs/<id>); the start of the hash of a record in \
            evaluations/ or comparisons/ (an ambiguous start is refused, listing the candidates). Writes DIR/index.html, which \
            opens offline, and DIR/figures/*.svg|png; DIR defaults to reports/<subject>/ in the workspace and is replaced \
            whole. An evaluation's report draws the case with the median MAE (every case with --all-cases) from the case \
            files its record names, and gamma slices from maps kept by `evaluate --save-gamma`. Reads records only; refuses \
            a folder that is not a workspace. Exit status: 0 written, 2 when the subject cannot be found or read.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption
    @OptionGroup var threads: ThreadsOption

    @Argument(help: "An evaluation, run or comparison: record file, run id, or hash prefix.")
    var subject: String

    @Option(name: [.short, .long], help: "The report folder (default: reports/<subject>/ in the workspace).")
    var output: String?

    @Flag(name: .long, help: "Draw every case of an evaluation (colourwash, difference, DVH), not only the median-MAE case.")
    var allCases = false

    func run() async throws {
        let workspace = try space.existingWorkspace()
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await ReportWorkflow.run(ReportRequest(subject: subject, workspace: workspace, output: output, allCases: allCases,
                                                                 workers: threads.count)) { step in
            progress.show(step)
        }
        progress.finish()
        if printing.json {
            return JSONOutput.print([
                "subject": .string(outcome.subject.name), "page": .string(outcome.page), "directory": .string(outcome.directory),
                "figures": .int(Int64(outcome.figures)), "files": .array(outcome.files.map(JSONValue.string)),
                "notes": .array(outcome.notes.map(JSONValue.string)),
            ], result: "report")
        }
        if !verbosity.quiet {
            for note in outcome.notes { print("note: \(note)") }
            print("\(outcome.figures) figure\(outcome.figures == 1 ? "" : "s"), \(outcome.files.count) files in \(outcome.directory)/")
        }
        print("report: \(outcome.page)")
    }
}

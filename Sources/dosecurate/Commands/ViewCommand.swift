import ArgumentParser
import Foundation
import Support
import Workflows

struct ViewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Write one case as a self-contained HTML viewer: slices in three planes, contours, dose colourwash, metadata and audit findings.",
        discussion: """
            Writes <caseId>.html in the current folder (or -o FILE), which opens offline in a browser: step through axial, \
            coronal and sagittal slices with the keys or the slider, toggle each structure's contour and the dose \
            colourwash; the case's metadata and its audit findings are beside the image. Cases larger than 256³ voxels are \
            shown downsampled, as the page says (docs/viewer.md). Reads the case file only: needs no workspace and creates \
            none. Exit status: 0 written (whatever the audit found), 2 when the case is missing or cannot be read.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "One .npz case file.")
    var casePath: String

    @Option(name: [.short, .long], help: "The page to write (default: <caseId>.html in the current folder).")
    var output: String?

    func run() async throws {
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await ViewWorkflow.run(ViewRequest(casePath: casePath, output: output)) { progress.show($0) }
        progress.finish()
        if printing.json {
            return JSONOutput.print([
                "caseId": .string(outcome.caseId), "page": .string(outcome.page), "bytes": .int(Int64(outcome.bytes)),
                "shape": .array(outcome.grid.shape.dimensions.map { .int(Int64($0)) }),
                "downsampling": .array(outcome.grid.factors.map { .int(Int64($0)) }),
                "findings": outcome.findings.map { .int(Int64($0.count)) } ?? .null,
                "notes": .array(outcome.notes.map(JSONValue.string)),
            ], result: "view")
        }
        if !verbosity.quiet {
            for note in outcome.notes { print("note: \(note)") }
            print(outcome.findings.map { "\($0.count) audit findings shown" } ?? "not audited", terminator: "; ")
            print(String(format: "%.1f MB", Double(outcome.bytes) / 1_000_000))
        }
        print("view: \(outcome.page)")
    }
}

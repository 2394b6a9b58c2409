import ArgumentParser
import Support
import Engine
import Foundation
import Lineage
import Workflows

extension ExportWorkflow.Format: ExpressibleByArgument {}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the train and val cases of a locked split as an HDF5 training cache for external trainers.",
        discussion: """
            Every case is verified against the hash its dataset version froze; test cases are never exported. Layout: \
            /cases/<caseId>/input (C, Y, X, Z) and /dose (Y, X, Z), float32, and /masks (C-1, Y, X, Z), uint8, chunked 32³ with deflate level 1; \
            attributes name the version, the split and the channels (docs/records.md). Exit status: 0 written, 2 refused.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Option(name: .long, help: "The dataset version (dsv-…, or dsv-…@k).")
    var dataset: String

    @Option(name: .long, help: "The locked split of that version (NAME or NAME@k).")
    var split: String

    @Option(name: .long, help: "The file format.")
    var format: ExportWorkflow.Format = .hdf5

    @Option(name: .long, help: "Area-average the axial plane k-fold; validation cases keep native_dose and native_masks.")
    var resample: Int = 1

    @Argument(help: "The file to write.")
    var output: String

    func run() async throws {
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await ExportWorkflow.run(workspace: try space.existingWorkspace(), dataset: dataset, split: split,
                                                   to: output, resampling: try InPlaneResampling(factor: resample)) { progress.show($0) }
        progress.finish()
        let roles = Dictionary(grouping: outcome.cases, by: \.role).mapValues(\.count)
        if printing.json {
            return JSONOutput.print([
                "file": .string(output), "format": .string(format.rawValue), "dataset": .string(outcome.dataset), "split": .string(outcome.split),
                "cases": .object(roles.mapValues { .int(Int64($0)) }), "inputChannels": .array(outcome.inputChannels.map(JSONValue.string)),
                "filledChannels": .object(Dictionary(uniqueKeysWithValues: outcome.cases.filter { !$0.filledChannels.isEmpty }
                    .map { ($0.caseId, JSONValue.array($0.filledChannels.map(JSONValue.string))) })),
            ], result: "export")
        }
        print("wrote \(output): \(outcome.cases.count) cases of \(outcome.dataset), split \(outcome.split) "
              + "(train \(roles["train"] ?? 0), val \(roles["val"] ?? 0)); channels \(outcome.inputChannels.joined(separator: ", "))")
        for item in outcome.cases where !item.filledChannels.isEmpty && !verbosity.quiet {
            print("  \(item.caseId): filled with 0: \(item.filledChannels.joined(separator: ", "))")
        }
    }
}

import ArgumentParser
import Engine
import Foundation
import Lineage
import Workflows

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the train and val cases of a locked split as an HDF5 training cache for external trainers.",
        discussion: """
            Every case is verified against the hash its dataset version froze; test cases are never exported. Layout: \
            /cases/<caseId>/input (C, Y, X, Z) and /dose (Y, X, Z), float32, and /masks (C-1, Y, X, Z), uint8, chunked 32³ with deflate level 1; \
            attributes name the version, the split and the channels (see README). Exit status: 0 written, 2 refused.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The dataset version (dsv-…, or dsv-…@k).")
    var dataset: String

    @Option(name: .long, help: "The locked split of that version (NAME or NAME@k).")
    var split: String

    @Option(name: .long, help: "Output format: hdf5.")
    var format: String = "hdf5"

    @Option(name: .long, help: "Area-average the axial plane k-fold; validation cases keep native_dose and native_masks.")
    var resample: Int = 1

    @Argument(help: "The file to write.")
    var output: String

    func validate() throws {
        guard format == "hdf5" else { throw ValidationError("--format must be hdf5") }
    }

    func run() async throws {
        let quiet = global.quiet
        let outcome = try await ExportWorkflow.run(workspace: try global.existingWorkspace(), dataset: dataset, split: split,
                                                   to: output, resampling: try InPlaneResampling(factor: resample)) { line in if !quiet { FileHandle.standardError.write(Data("\r\(line)   ".utf8)) } }
        if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
        let roles = Dictionary(grouping: outcome.cases, by: \.role).mapValues(\.count)
        print("wrote \(output): \(outcome.cases.count) cases of \(outcome.dataset), split \(outcome.split) "
              + "(train \(roles["train"] ?? 0), val \(roles["val"] ?? 0)); channels \(outcome.inputChannels.joined(separator: ", "))")
        for item in outcome.cases where !item.filledChannels.isEmpty {
            print("  \(item.caseId): filled with 0: \(item.filledChannels.joined(separator: ", "))")
        }
    }
}

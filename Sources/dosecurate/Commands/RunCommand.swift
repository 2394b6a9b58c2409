import ArgumentParser
import Foundation
import Support
import Lineage
import Workflows

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train with your own engine (PyTorch, torchrun, a SLURM job) on a pinned version and split, recorded like `train`.",
        discussion: """
            dosecurate run --dataset V --split S -- COMMAND [ARGS…]

            Refuses what `train` refuses (exit 2, before COMMAND starts): unpinned data, edited records, a split of \
            another version, an excluded case in train/val, a changed case file. Builds or reuses the workspace's HDF5 \
            training cache (train and val cases only), writes runs/<id>/run.json, then runs COMMAND with \
            DOSECURATE_WORKSPACE, DOSECURATE_RUN_DIR, DOSECURATE_TRAIN_CACHE, DOSECURATE_DATASET and DOSECURATE_SPLIT set \
            (and DOSECURATE_CONFIG, with --config: the file's settings as JSON in runs/<id>/settings.json, recorded in run.json). \
            Its output goes to the terminal and to runs/<id>/log.txt; SIGINT and SIGTERM are passed to it. When it ends, \
            runs/<id>/result.json records its status (succeeded, failed, interrupted), exit code and every file it wrote \
            under the run folder with its SHA-256. Exit status: COMMAND's own (2 when dosecurate refused to start it).
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @OptionGroup var pin: PinnedVersionOptions

    @Option(name: .long, help: "The run's folder name under runs/ (default: run-<UTC time>-<command name>).")
    var runId: String?

    @Option(name: .long, help: "A label for the run, kept in run.json and shown by `dosecurate list` and `compare`.")
    var label: String?

    @Option(name: .long, help: "Build the cache with the axial plane area-averaged k-fold (1: native resolution).")
    var resample: Int = 1

    @Option(name: .long, help: ArgumentHelp("Settings (YAML or JSON) recorded in run.json and handed to the command as JSON in DOSECURATE_CONFIG (train_torch.py reads train's keys).", valueName: "file"))
    var config: String?

    @Argument(parsing: .postTerminator, help: "The command, after `--`.")
    var command: [String] = []

    func validate() throws {
        guard pin.dataset != nil, pin.split != nil else { throw ValidationError("give --dataset and --split") }
        guard !command.isEmpty else { throw ValidationError("give the command after `--`, e.g. -- python train.py") }
    }

    func run() async throws {
        guard let dataset = pin.dataset, let split = pin.split else { throw ValidationError("give --dataset and --split") }
        let workspace = try space.existingWorkspace()
        let quiet = verbosity.quiet
        let outcome = try await RunWorkflow.run(RunRequest(workspace: workspace, dataset: dataset, split: split, command: command, runId: runId,
                                                           label: label, resample: resample,
                                                           settings: try config.map(SettingsFile.read))) { progress in
            guard !quiet else { return }
            switch progress {
            case .verifying: FileHandle.standardError.write("verifying the dataset version, the split and the case files…\n")
            case let .buildingCache(item): FileHandle.standardError.write("building the training cache: \(item)\n")
            case let .started(runId, variables):
                let shown = variables.sorted { $0.key < $1.key }.map { "  \($0.key)=\($0.value)" }.joined(separator: "\n")
                FileHandle.standardError.write("run \(runId): \(command.joined(separator: " "))\n\(shown)\n")
            }
        }
        let summary = "run \(outcome.runId) \(outcome.status.rawValue) (exit \(outcome.exitCode)); \(outcome.artifacts.count) artifact"
            + "\(outcome.artifacts.count == 1 ? "" : "s") hashed → \(outcome.runDirectory)/result.json"
        if printing.json {
            JSONOutput.print([
                "runId": .string(outcome.runId), "runDirectory": .string(outcome.runDirectory), "status": .string(outcome.status.rawValue),
                "exitCode": .int(Int64(outcome.exitCode)), "cacheBuilt": .bool(outcome.cacheBuilt),
                "artifacts": .array(outcome.artifacts.map(\.json)),
            ], result: "run")
        } else {
            FileHandle.standardError.write(summary + "\n")
        }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

import ArgumentParser
import Support
import Engine
import Evaluation
import Foundation
import Lineage
import Workflows

struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict dose for whole cases with BaselineUNet3D weights (sliding window); write <caseId>_pred.npz files evaluate reads.",
        discussion: """
            Cases come from --cases (files or folders) or, pinned, from --dataset and --split: the cases the split assigns \
            to --role, each verified against the hash the version froze. Patches start symmetrically about the volume \
            centre and cover every voxel; overlapping predictions are blended with a Gaussian (sigma = patch/4); the \
            output is clamped to [0, 1.5] and set to 0 in the air around the patient (CT below −500 HU connected to a \
            face of the volume; --keep-dose-outside-body keeps it). Input channels are CT then the SDFs in the standard channel order; a channel \
            the case lacks is filled with 0 (the v2.4 convention) and recorded in the file's metadata. Exit status: 0 when \
            every case was predicted, 1 when some files could not be read as cases (listed), 2 when nothing could be done.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Option(name: .long, help: "A safetensors file of BaselineUNet3D weights (default with --run: the run's checkpoints/best.safetensors).")
    var weights: String?

    @Option(name: .long, help: "A run of this workspace (built-in or `dosecurate run`): its best checkpoint, named in every prediction.")
    var run: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Case files or folders of cases.")
    var cases: [String] = []

    @OptionGroup var pin: PinnedSplitOptions

    @Option(name: [.short, .long], help: "The folder predictions are written to (default with --run: runs/<id>/predictions).")
    var output: String?

    @Option(name: .long, parsing: .upToNextOption,
            help: "Patch extent (one number, or three: Y X Z); multiples of 2^depth (default: the patch the weights were trained on, else 96).")
    var patch: [Int] = []

    @Option(name: .long, help: "Fraction of a patch neighbouring tiles share (0 < overlap < 1).")
    var overlap: Double = 0.5

    @Flag(name: .long, help: "Keep the network's output in the air around the patient (by default it is set to 0).")
    var keepDoseOutsideBody = false

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard cases.isEmpty == pin.isPinned else {
            throw ValidationError("give either --cases or both --dataset and --split")
        }
        guard weights != nil || run != nil else { throw ValidationError("give --weights or --run") }
        guard output != nil || run != nil else { throw ValidationError("give -o/--output (or --run, whose predictions folder is used)") }
        guard patch.count <= 1 || patch.count == 3 else { throw ValidationError("--patch takes one or three numbers") }
        guard overlap > 0, overlap < 1 else { throw ValidationError("--overlap must be between 0 and 1") }
    }

    func run() async throws {
        let window = try patch.isEmpty ? nil : SlidingWindow(patch: patch.count == 1 ? Array(repeating: patch[0], count: 3) : patch, overlap: overlap)
        let workspace = run != nil || pin.isPinned ? try space.existingWorkspace() : nil
        var weightsPath = weights ?? "", outputDirectory = output ?? ""
        if let run, let workspace {
            guard RunFiles.isRunId(run), workspace.exists(RunFiles.record(run)) else { throw EvaluationError.unknownRun(runId: run) }
            guard weights != nil || workspace.exists(RunFiles.bestCheckpoint(run)) else {
                throw ValidationError("run \(run) has no \(RunFiles.bestCheckpoint(run)) (did it fail, or save its weights elsewhere? name them with --weights)")
            }
            weightsPath = weights ?? workspace.file(RunFiles.bestCheckpoint(run))
            outputDirectory = output ?? workspace.file(RunFiles.predictions(run))
        }
        let selection: PredictRequest.Cases
        if pin.isPinned, let workspace, let pinned = pin.selection(in: workspace) {
            selection = .pinned(pinned)
        } else {
            selection = .paths(cases)
        }
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await PredictWorkflow.run(
            PredictRequest(weightsPath: weightsPath, cases: selection, outputDirectory: outputDirectory, window: window, overlap: overlap,
                           threads: threads.count, runId: run, keepsDoseOutsideBody: keepDoseOutsideBody),
            progress: { progress.show($0) })
        progress.finish()
        for skipped in outcome.skipped { FileHandle.standardError.write("skipped \(skipped.file): \(skipped.reason)\n") }
        if printing.json {
            JSONOutput.print([
                "weightsSHA256": .string(outcome.weightsSHA256), "configuration": .string("\(outcome.configuration)"),
                "patch": .array(outcome.window.patch.map { .int(Int64($0)) }), "stride": .array(outcome.window.stride.map { .int(Int64($0)) }),
                "outputDirectory": .string(outputDirectory),
                "written": .array(outcome.written.map { .object(["file": .string($0.file), "tiles": .int(Int64($0.tiles)), "seconds": .number($0.seconds),
                                                                 "filledChannels": .array($0.filledChannels.map(JSONValue.string))]) }),
                "skipped": .array(outcome.skipped.map { .object(["file": .string($0.file), "reason": .string($0.reason)]) }),
            ], result: "predict")
        } else {
            if !verbosity.quiet { printDetails(outcome) }
            print("wrote \(outcome.written.count) prediction\(outcome.written.count == 1 ? "" : "s") to \(outputDirectory)"
                  + (outcome.skipped.isEmpty ? "" : "; \(outcome.skipped.count) skipped"))
        }
        if outcome.written.isEmpty { throw ExitStatus.couldNotRun.exitCode }
        if !outcome.skipped.isEmpty { throw ExitStatus.dataProblems.exitCode }
    }

    private func printDetails(_ outcome: PredictOutcome) {
        print("weights: \(outcome.configuration), sha256 \(outcome.weightsSHA256.prefix(12))…; patch \(outcome.window.patch), stride \(outcome.window.stride)")
        for case_ in outcome.written {
            var line = "\(case_.file): \(case_.tiles) tiles, " + String(format: "%.1f s", case_.seconds)
            if !case_.filledChannels.isEmpty { line += "; filled with 0: " + case_.filledChannels.joined(separator: ", ") }
            if !case_.unusedChannels.isEmpty { line += "; not used: " + case_.unusedChannels.joined(separator: ", ") }
            print(line)
        }
    }
}

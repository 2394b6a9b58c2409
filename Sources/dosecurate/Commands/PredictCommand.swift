import ArgumentParser
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
            output is clamped to [0, 1.5]. Input channels are CT then the SDFs in the standard channel order; a channel \
            the case lacks is filled with 0 (the v2.4 convention) and recorded in the file's metadata. Exit status: 0 when \
            every case was predicted, 1 when some files could not be read as cases (listed), 2 when nothing could be done.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "A safetensors file of BaselineUNet3D weights (default with --run: the run's checkpoints/best.safetensors).")
    var weights: String?

    @Option(name: .long, help: "A run of this workspace (built-in or `dosecurate run`): its best checkpoint, named in every prediction.")
    var run: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Case files or folders of cases.")
    var cases: [String] = []

    @OptionGroup var pin: PinnedSplitOptions

    @Option(name: .long, help: "The folder predictions are written to (default with --run: runs/<id>/predictions).")
    var out: String?

    @Option(name: .long, parsing: .upToNextOption,
            help: "Patch extent (one number, or three: Y X Z); multiples of 2^depth (default: the patch the weights were trained on, else 96).")
    var patch: [Int] = []

    @Option(name: .long, help: "Fraction of a patch neighbouring tiles share (0 < overlap < 1).")
    var overlap: Double = 0.5

    @Option(name: .long, help: "Threads (1 is bit-for-bit repeatable).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard cases.isEmpty == pin.isPinned else {
            throw ValidationError("give either --cases or both --dataset and --split")
        }
        guard weights != nil || run != nil else { throw ValidationError("give --weights or --run") }
        guard out != nil || run != nil else { throw ValidationError("give --out (or --run, whose predictions folder is used)") }
        guard patch.count <= 1 || patch.count == 3 else { throw ValidationError("--patch takes one or three numbers") }
        guard overlap > 0, overlap < 1 else { throw ValidationError("--overlap must be between 0 and 1") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() async throws {
        let window = try patch.isEmpty ? nil : SlidingWindow(patch: patch.count == 1 ? Array(repeating: patch[0], count: 3) : patch, overlap: overlap)
        let space = run != nil || pin.isPinned ? try global.existingWorkspace() : nil
        var weightsPath = weights ?? "", outputDirectory = out ?? ""
        if let run, let space {
            guard RunFiles.isRunId(run), space.exists(RunFiles.record(run)) else { throw EvaluationError.unknownRun(runId: run) }
            guard weights != nil || space.exists(RunFiles.bestCheckpoint(run)) else {
                throw ValidationError("run \(run) has no \(RunFiles.bestCheckpoint(run)) (did it fail, or save its weights elsewhere? name them with --weights)")
            }
            weightsPath = weights ?? space.file(RunFiles.bestCheckpoint(run))
            outputDirectory = out ?? space.file(RunFiles.predictions(run))
        }
        let selection: PredictRequest.Cases
        if pin.isPinned, let space, let pinned = pin.selection(in: space) {
            selection = .pinned(pinned)
        } else {
            selection = .paths(cases)
        }
        let quiet = global.quiet
        let outcome = try await PredictWorkflow.run(
            PredictRequest(weightsPath: weightsPath, cases: selection, outputDirectory: outputDirectory, window: window, overlap: overlap,
                           threads: threads, runId: run),
            progress: { line in if !quiet { FileHandle.standardError.write(Data("\r\(line)   ".utf8)) } })
        if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
        print("weights: \(outcome.configuration), sha256 \(outcome.weightsSHA256.prefix(12))…; patch \(outcome.window.patch), stride \(outcome.window.stride)")
        for case_ in outcome.written {
            var line = "\(case_.file): \(case_.tiles) tiles, " + String(format: "%.1f s", case_.seconds)
            if !case_.filledChannels.isEmpty { line += "; filled with 0: " + case_.filledChannels.joined(separator: ", ") }
            if !case_.unusedChannels.isEmpty { line += "; not used: " + case_.unusedChannels.joined(separator: ", ") }
            print(line)
        }
        for skipped in outcome.skipped { print("skipped \(skipped.file): \(skipped.reason)") }
        if outcome.written.isEmpty { throw ExitStatus.couldNotRun.exitCode }
        if !outcome.skipped.isEmpty { throw ExitStatus.dataProblems.exitCode }
    }
}

import ArgumentParser
import Engine
import Foundation
import Support
import Lineage
import Workflows
#if canImport(Glibc)
import Glibc
#endif

extension UNetConfiguration.Preset: ExpressibleByArgument {}
extension TrainingConfiguration.SelectionMetric: ExpressibleByArgument {}

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train BaselineUNet3D on the train cases of a locked split of a pinned dataset version; validate on its val cases.",
        discussion: """
            Refuses anything but audited, pinned data: a folder of files, an edited version or split record, a split of \
            another version, a split that assigns an excluded case, a case file whose bytes changed. Test cases are never \
            read. Patches come from the workspace's HDF5 training cache (.dosecurate/cache/training/, built once per version \
            and split revision). Writes runs/<id>/run.json before the first step, then metrics.csv and checkpoints after \
            every epoch, result.json at the end. --resume RUN-ID continues a killed run from its latest intact checkpoint, \
            with the settings run.json recorded. Exit status: 0 trained, 2 refused or failed.
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var pin: PinnedVersionOptions

    @Option(name: .long, help: "Continue this run from its latest checkpoint (its recorded settings; only --threads may change).")
    var resume: String?

    @Option(name: .long, help: "The run's folder name under runs/ (default: run-<UTC time>-<preset>-seed<seed>).")
    var runId: String?

    @Option(name: .long, help: "A label for the run, kept in run.json and shown by `dosecurate list`.")
    var label: String?

    @Option(name: .long, help: "tiny (b = 8), cpu (b = 16) or paper (b = 48).")
    var preset: UNetConfiguration.Preset = .tiny

    @Option(name: .long, help: "Encoder levels.")
    var depth: Int = 4

    @Option(name: .long, parsing: .upToNextOption, help: "Patch extent (one number, or three: Y X Z); multiples of 2^depth.")
    var patch: [Int] = [64]

    @Option(name: .long, help: "Patches per optimiser step.")
    var batchSize: Int = 2

    @Option(name: .long, help: "Epochs (each draws --patches-per-volume patches from every training case).")
    var epochs: Int = 50

    @Option(name: .long, help: "Patches drawn from each training case per epoch.")
    var patchesPerVolume: Int = 8

    @Option(name: .long, help: "AdamW learning rate (cosine-annealed to --min-lr over the run).")
    var lr: Double = 1e-4

    @Option(name: .long, help: "The cosine schedule's floor.")
    var minLr: Double = 0

    @Option(name: .long, help: "Steps of linear learning-rate warm-up before the cosine.")
    var warmupSteps: Int = 100

    @Option(name: .long, help: "AdamW decoupled weight decay.")
    var weightDecay: Double = 1e-2

    @Option(name: .long, help: "Weight of the PTV70 underdose term (squared shortfall inside PTV70, averaged over its voxels) added to the loss.")
    var ptvUnderdoseWeight: Double = 0.5

    @Option(name: .long, help: "Normalised dose above which a voxel may centre the high-dose half of the patches (0.1 = 10 % of Rx).")
    var centreThreshold: Double = 0.5

    @Option(name: .long, help: "Validate every this many epochs (and after the last).")
    var validateEvery: Int = 1

    @Option(name: .long, help: "The checkpoint-selection metric: ptv70-mae, global-mae or ptv70-d95-error.")
    var select: TrainingConfiguration.SelectionMetric = .ptv70MAE

    @Option(name: .long, help: "Stop after this many validations without improvement (0: never stop early).")
    var patience: Int = 10

    @Option(name: .long, help: "Seed of the initial weights and of every patch draw.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Engine threads (1 is bit-for-bit repeatable on one machine).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Train on the axial plane area-averaged k-fold (CPU runs); validation maps predictions back to the native grid.")
    var resample: Int = 1

    func validate() throws {
        if resume != nil {
            guard !pin.isPinned, runId == nil else { throw ValidationError("--resume takes the run's recorded version, split and id") }
        } else {
            guard pin.isPinned else { throw ValidationError("give --dataset and --split (or --resume RUN-ID)") }
        }
        guard patch.count == 1 || patch.count == 3 else { throw ValidationError("--patch takes one or three numbers") }
        guard patience >= 0 else { throw ValidationError("--patience must be 0 or more") }
    }

    func run() async throws {
        let space = try global.existingWorkspace()
        let bar = TrainingProgressBar(terminal: !global.quiet && isatty(STDERR_FILENO) != 0, epochLines: !global.quiet)
        let outcome: TrainOutcome
        if let resume {
            outcome = try await TrainWorkflow.resume(workspace: space, runId: resume, threads: threads, progress: bar.show)
        } else if let dataset = pin.dataset, let split = pin.split {
            let configuration = TrainingConfiguration(
                preset: preset, depth: depth, patch: patch.count == 1 ? Array(repeating: patch[0], count: 3) : patch, batchSize: batchSize,
                epochs: epochs, patchesPerVolume: patchesPerVolume, learningRate: lr, minimumLearningRate: minLr, warmupSteps: warmupSteps,
                weightDecay: weightDecay, ptvUnderdoseWeight: ptvUnderdoseWeight, highDoseCentreThreshold: centreThreshold, validateEvery: validateEvery, selectionMetric: select, patience: patience == 0 ? nil : patience, seed: seed, threads: threads,
                resample: resample)
            outcome = try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: dataset, split: split, configuration: configuration,
                                                                 runId: runId, label: label), progress: bar.show)
        } else {
            throw ValidationError("give --dataset and --split (or --resume RUN-ID)")
        }
        bar.finish()
        let training = outcome.training
        var lines = ["run \(outcome.runId): \(training.epochsCompleted)/\(outcome.configuration.epochs) epochs"
            + (training.stoppedEarly ? " (stopped early: no improvement in \(outcome.configuration.patience ?? 0) validations)" : "")
            + ", \(outcome.trainCases.count) train / \(outcome.validationCases.count) val cases"]
        if let epoch = training.bestEpoch, let value = training.bestValue, let best = training.bestCheckpoint {
            lines.append("best: epoch \(epoch), \(outcome.configuration.selectionMetric.rawValue) \(String(format: "%.3f", value)) Gy → \(outcome.runDirectory)/\(best)")
        } else {
            lines.append("no validation cases: no best checkpoint; last → \(outcome.runDirectory)/\(training.lastCheckpoint)")
        }
        lines.append("records: \(outcome.runDirectory)/run.json, result.json, metrics.csv; cache \(outcome.cache)" + (outcome.cacheBuilt ? " (built)" : " (reused)"))
        print(lines.joined(separator: "\n"))
    }
}

/// Training's progress on standard error: the epoch and batch, the batch's loss and the time
/// left; one line per finished epoch stays on screen.
struct TrainingProgressBar: Sendable {
    private let enabled: Bool, epochLines: Bool
    /// Serialises drawing: progress arrives from the training task and the cache builder.
    private let drawing = LockedBox(())

    init(terminal: Bool, epochLines: Bool) { (enabled, self.epochLines) = (terminal, epochLines) }

    func show(_ progress: TrainProgress) {
        drawing.withLock { _ in draw(progress) }
    }

    private func draw(_ progress: TrainProgress) {
        switch progress {
        case .verifying: draw("verifying the dataset version, the split and the case files…")
        case let .buildingCache(item): draw("building the training cache: \(item)")
        case let .started(runId, resumes): line(resumes == 0 ? "run \(runId)" : "run \(runId): resume \(resumes)")
        case let .training(.resumed(epoch, checkpoint?)): line("resuming after epoch \(epoch) from \(checkpoint)")
        case .training(.resumed(_, nil)): line("no checkpoint was written before the run stopped: starting again from the seed")
        case let .training(.step(epoch, batch, batches, loss, secondsLeft)):
            let width = 20, filled = width * batch / max(batches, 1)
            let eta = secondsLeft.map { " ETA \(Self.duration($0))" } ?? ""
            draw("epoch \(epoch) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(batch)/\(batches) loss \(String(format: "%.5f", loss))\(eta)")
        case let .training(.validating(epoch, index, cases)): draw("epoch \(epoch): validating case \(index)/\(cases)")
        case let .training(.epochFinished(summary)):
            var text = "epoch \(summary.epoch): loss \(String(format: "%.5f", summary.trainLoss)), lr \(String(format: "%.2e", summary.learningRate))"
            if let scores = summary.validation {
                text += String(format: ", val MAE %.2f Gy", scores.maeGy)
                if let ptv = scores.ptv70MAEGy { text += String(format: ", PTV70 MAE %.2f Gy", ptv) }
                if let d95 = scores.ptv70D95ErrorGy { text += String(format: ", PTV70 D95 error %+.2f Gy", d95) }
                if summary.isBest { text += " (best)" }
            }
            line(text)
        }
    }

    func finish() { if enabled { FileHandle.standardError.write("\r\u{1B}[K") } }

    private func draw(_ text: String) { if enabled { FileHandle.standardError.write("\r\u{1B}[K\(text)") } }

    /// Epoch lines go to standard error too (standard output carries the final summary), and
    /// show when it is not a terminal, so a log keeps the loss curve.
    private func line(_ text: String) {
        if epochLines { FileHandle.standardError.write((enabled ? "\r\u{1B}[K" : "") + text + "\n") }
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? "\(total / 3600)h\(String(format: "%02d", total / 60 % 60))m" : total >= 60 ? "\(total / 60)m\(String(format: "%02d", total % 60))s" : "\(total)s"
    }
}

import ArgumentParser
import Engine
import Foundation
import Support
import Lineage
import Workflows

extension UNetConfiguration.Preset: ExpressibleByArgument {}
extension TrainingConfiguration.SelectionMetric: ExpressibleByArgument {}
extension Loss.PTVTargets: ExpressibleByArgument {}
extension TrainingConfigurationFile.Format: ExpressibleByArgument {}

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

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @OptionGroup var pin: PinnedVersionOptions

    @Option(name: .long, help: "Continue this run from its latest checkpoint (its recorded settings; only --threads may change).")
    var resume: String?

    @Option(name: .long, help: "The run's folder name under runs/ (default: run-<UTC time>-<preset>-seed<seed>).")
    var runId: String?

    @Option(name: .long, help: "A label for the run, kept in run.json and shown by `dosecurate list`.")
    var label: String?

    @Option(name: .long, help: ArgumentHelp("Settings from a YAML or JSON file (the keys run.json records under config; --print-config writes them all). Flags win over it.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("print-config"), help: ArgumentHelp("Print the settings this command would train with (the defaults, --config and flags merged) as yaml or json, and exit.", valueName: "format"))
    var printConfig: TrainingConfigurationFile.Format?

    @Option(name: .long, help: "The model's width: tiny (b = 8), cpu (b = 16) or paper (b = 48). \(Self.defaultText(\.preset.rawValue))")
    var preset: UNetConfiguration.Preset?

    @Option(name: .long, help: "Encoder levels. \(Self.defaultText(\.depth))")
    var depth: Int?

    @Option(name: .long, parsing: .upToNextOption, help: "Patch extent (one number, or three: Y X Z); multiples of 2^depth. \(Self.defaultText(\.patch[0]))")
    var patch: [Int] = []

    @Option(name: .long, help: "Patches per optimiser step. \(Self.defaultText(\.batchSize))")
    var batchSize: Int?

    @Option(name: .long, help: "Epochs (each draws --patches-per-volume patches from every training case). \(Self.defaultText(\.epochs))")
    var epochs: Int?

    @Option(name: .long, help: "Patches drawn from each training case per epoch. \(Self.defaultText(\.patchesPerVolume))")
    var patchesPerVolume: Int?

    @Option(name: .long, help: "AdamW learning rate (cosine-annealed to --min-lr over the run). \(Self.defaultText(\.learningRate))")
    var lr: Double?

    @Option(name: .long, help: "The cosine schedule's floor. \(Self.defaultText(\.minimumLearningRate))")
    var minLr: Double?

    @Option(name: .long, help: "Steps of linear learning-rate warm-up before the cosine. \(Self.defaultText(\.warmupSteps))")
    var warmupSteps: Int?

    @Option(name: .long, help: "AdamW decoupled weight decay. \(Self.defaultText(\.weightDecay))")
    var weightDecay: Double?

    @Option(name: .long, help: "Weight of the PTV underdose term (squared shortfall below the true dose inside the targets, averaged over their voxels) added to the loss. \(Self.defaultText(\.ptvUnderdoseWeight))")
    var ptvUnderdoseWeight: Double?

    @Option(name: .long, help: "The targets the underdose term covers: every one present (PTV70, PTV56, PTV50.4), or PTV70 only. \(Self.defaultText(\.ptvUnderdoseTargets.rawValue))")
    var ptvUnderdoseTargets: Loss.PTVTargets?

    @Option(name: .long, help: "Normalised dose above which a voxel may centre the high-dose half of the patches (0.1 = 10 % of Rx). \(Self.defaultText(\.highDoseCentreThreshold))")
    var centreThreshold: Double?

    @Option(name: .long, help: "Validate every this many epochs (and after the last). \(Self.defaultText(\.validateEvery))")
    var validateEvery: Int?

    @Option(name: .long, help: "The checkpoint-selection metric. \(Self.defaultText(\.selectionMetric.rawValue))")
    var select: TrainingConfiguration.SelectionMetric?

    @Option(name: .long, help: "Stop after this many validations without improvement (0: never stop early). \(Self.defaultText(\.patience))")
    var patience: Int?

    @Option(name: .long, help: "Seed of the initial weights and of every patch draw. \(Self.defaultText(\.seed))")
    var seed: UInt64?

    @OptionGroup var threads: ThreadsOption

    @Option(name: .long, help: "Train on the axial plane area-averaged k-fold (CPU runs); validation maps predictions back to the native grid. \(Self.defaultText(\.resample))")
    var resample: Int?

    private static func defaultText(_ setting: KeyPath<TrainingConfiguration, some CustomStringConvertible>) -> String {
        "(default: \(TrainingConfiguration.recipe[keyPath: setting]))"
    }

    private static func defaultText(_ setting: KeyPath<TrainingConfiguration, Int?>) -> String {
        "(default: \(TrainingConfiguration.recipe[keyPath: setting].map(String.init) ?? "0"))"
    }

    func validate() throws {
        if printConfig != nil { return }
        if resume != nil {
            guard !pin.isPinned, runId == nil, config == nil else { throw ValidationError("--resume takes the run's recorded version, split, id and settings") }
        } else {
            guard pin.isPinned else { throw ValidationError("give --dataset and --split (or --resume RUN-ID)") }
        }
        guard patch.count <= 1 || patch.count == 3 else { throw ValidationError("--patch takes one or three numbers") }
        guard (patience ?? 0) >= 0 else { throw ValidationError("--patience must be 0 or more") }
    }

    /// The recipe, then the configuration file, then the flags given.
    func configuration() throws -> TrainingConfiguration {
        var base = TrainingConfiguration.recipe
        base.threads = threads.count
        var merged = try config.map { try TrainingConfigurationFile.load($0, over: base) } ?? base
        if let preset { merged.preset = preset }
        if let depth { merged.depth = depth }
        if !patch.isEmpty { merged.patch = patch.count == 1 ? Array(repeating: patch[0], count: 3) : patch }
        if let batchSize { merged.batchSize = batchSize }
        if let epochs { merged.epochs = epochs }
        if let patchesPerVolume { merged.patchesPerVolume = patchesPerVolume }
        if let lr { merged.learningRate = lr }
        if let minLr { merged.minimumLearningRate = minLr }
        if let warmupSteps { merged.warmupSteps = warmupSteps }
        if let weightDecay { merged.weightDecay = weightDecay }
        if let ptvUnderdoseWeight { merged.ptvUnderdoseWeight = ptvUnderdoseWeight }
        if let ptvUnderdoseTargets { merged.ptvUnderdoseTargets = ptvUnderdoseTargets }
        if let centreThreshold { merged.highDoseCentreThreshold = centreThreshold }
        if let validateEvery { merged.validateEvery = validateEvery }
        if let select { merged.selectionMetric = select }
        if let patience { merged.patience = patience == 0 ? nil : patience }
        if let seed { merged.seed = seed }
        if let given = threads.given { merged.threads = given }
        if let resample { merged.resample = resample }
        return merged
    }

    func run() async throws {
        if let printConfig {
            return print(try TrainingConfigurationFile.render(try configuration(), as: printConfig), terminator: "")
        }
        let workspace = try space.existingWorkspace()
        let bar = TrainingProgressBar(terminal: Terminal.showsProgress(quiet: verbosity.quiet), epochLines: !verbosity.quiet)
        let outcome: TrainOutcome
        if let resume {
            outcome = try await TrainWorkflow.resume(workspace: workspace, runId: resume, threads: threads.count, progress: bar.show)
        } else if let dataset = pin.dataset, let split = pin.split {
            outcome = try await TrainWorkflow.start(TrainRequest(workspace: workspace, dataset: dataset, split: split, configuration: try configuration(),
                                                                 runId: runId, label: label), progress: bar.show)
        } else {
            throw ValidationError("give --dataset and --split (or --resume RUN-ID)")
        }
        bar.finish()
        let training = outcome.training
        if printing.json {
            return JSONOutput.print([
                "runId": .string(outcome.runId), "runDirectory": .string(outcome.runDirectory),
                "epochsCompleted": .int(Int64(training.epochsCompleted)), "epochs": .int(Int64(outcome.configuration.epochs)),
                "stoppedEarly": .bool(training.stoppedEarly), "trainCases": .int(Int64(outcome.trainCases.count)),
                "validationCases": .int(Int64(outcome.validationCases.count)),
                "selectionMetric": .string(outcome.configuration.selectionMetric.rawValue),
                "bestEpoch": training.bestEpoch.map { .int(Int64($0)) } ?? .null, "bestValue": training.bestValue.map(JSONValue.number) ?? .null,
                "bestCheckpoint": training.bestCheckpoint.map { .string("\(outcome.runDirectory)/\($0)") } ?? .null,
                "lastCheckpoint": .string("\(outcome.runDirectory)/\(training.lastCheckpoint)"),
                "cache": .string(outcome.cache), "cacheBuilt": .bool(outcome.cacheBuilt),
            ], result: "train")
        }
        var lines = ["run \(outcome.runId): \(training.epochsCompleted)/\(outcome.configuration.epochs) epochs"
            + (training.stoppedEarly ? " (stopped early: no improvement in \(outcome.configuration.patience ?? 0) validations)" : "")
            + ", \(outcome.trainCases.count) train / \(outcome.validationCases.count) val cases"]
        if let epoch = training.bestEpoch, let value = training.bestValue, let best = training.bestCheckpoint {
            lines.append("best: epoch \(epoch), \(outcome.configuration.selectionMetric.rawValue) \(String(format: "%.3f", value)) Gy → \(outcome.runDirectory)/\(best)")
        } else {
            lines.append("no validation cases: no best checkpoint; last → \(outcome.runDirectory)/\(training.lastCheckpoint)")
        }
        lines.append("records: \(outcome.runDirectory)/run.json, result.json, metrics.csv; cache \(outcome.cache)" + (outcome.cacheBuilt ? " (built)" : " (reused)"))
        print((verbosity.quiet ? lines.prefix(1) : lines[...]).joined(separator: "\n"))
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

    /// A transient line (another step's progress) in the bar's place.
    func show(line text: String) {
        drawing.withLock { _ in draw(text) }
    }

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

import ArgumentParser
import Dosimetry
import Evaluation
import Foundation
import Lineage
import Reports
import Workflows

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Compare predicted doses with the reference cases: MAE, DVH points, gamma (global and PTV region), clinical acceptance.",
        discussion: """
            Predictions are <caseId>_pred.npz files with key 'dose', normalised like the cases (× 70 Gy). With --dataset and \
            --split, only the cases the split assigns to --role are evaluated, each reference is verified against the hash \
            the version froze, predictions for other cases are set aside with a one-line count (--strict refuses them), and the record is written to evaluations/<hash>.json. \
            Exit status: 0 when every case was evaluated, 1 when predictions (or reference files) are missing, 2 when the \
            evaluation cannot be made (bad input, a changed reference, predictions outside the role).
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Option(name: .long, help: "A reference case (.npz) or a folder of cases; repeatable. Default with --dataset: the version's files.")
    var reference: [String] = []

    @Option(name: .long, help: "A prediction (.npz with key 'dose') or a folder of <caseId>_pred.npz (default with --run: runs/<id>/predictions).")
    var prediction: String?

    @Option(name: .long, help: "The run whose weights made the predictions; the record names it and the checkpoint's SHA-256 (default: found from the predictions' weights hash).")
    var run: String?

    @OptionGroup var pin: PinnedSplitOptions

    @Flag(name: .long, help: "Write evaluations/<hash>.json even without --dataset/--split.")
    var record = false

    @Flag(name: .long, help: "Keep each case's gamma map as evaluations/<hash>/gamma/<caseId>.npz (float32, the reference's grid, NaN where not evaluated); implies --record; needs --gamma-stat full.")
    var saveGamma = false

    @Option(name: .long, help: "How predictions store dose: normalised (70 Gy = 1.0, like the cases) or gy.")
    var doseUnit: PredictionDoseUnit = .normalised

    @Option(name: .long, help: "A label for the evaluation, kept in its record's context (not hashed) and shown by `dosecurate list`.")
    var label: String?

    @Flag(name: .long, help: "Pinned: refuse predictions for cases the split does not assign to --role (default: set them aside).")
    var strict = false

    @Option(name: .long, help: "Gamma dose criterion in percent.")
    var gammaDose: Double = 3

    @Option(name: .long, help: "Gamma distance criterion in mm.")
    var gammaDistance: Double = 3

    @Option(name: .long, help: "Lower dose cutoff in percent of the reference maximum.")
    var gammaCutoff: Double = 10

    @Option(name: .long, help: "Largest gamma searched for (values above are reported as this).")
    var maxGamma: Double = 2

    @Flag(name: .long, help: "Local gamma (dose criterion relative to each reference point) instead of global.")
    var localGamma = false

    @Option(name: .customLong("gamma-stat"),
            help: "full: the gamma map's pass rate, mean, median and max; pass-rate: the pass rate alone, from a search that stops as soon as a point passes (faster where many points fail).")
    var gammaStatistics: EvaluationRecord.GammaStatistics = .full

    @Option(name: .long, help: "Decimate both grids by K per axis first (x[::K]), to reproduce old numbers. Default 1: full resolution.")
    var subsample: Int = 1

    @Option(name: .long, help: "PTV region margin: cuboid (the old definition, default) or euclidean (a true 5 mm margin).")
    var regionMargin: PTVRegion = .cuboid

    @Option(name: .customLong("protocol"),
            help: "Acceptance protocol applied to prediction and reference: a JSON file, or a built-in name (current, published-v2.3).")
    var acceptanceProtocol: String = AcceptanceProtocol.defaultName

    @Flag(name: .long, help: "Add OpenKBP's dose and DVH scores.")
    var openkbp = false

    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard !reference.isEmpty || pin.isPinned else { throw ValidationError("give --reference (or --dataset and --split)") }
        guard prediction != nil || run != nil else { throw ValidationError("give --prediction (or --run, whose predictions folder is used)") }
        guard subsample >= 1 else { throw ValidationError("--subsample must be at least 1") }
        guard !saveGamma || gammaStatistics == .full else {
            throw ValidationError("--save-gamma needs --gamma-stat full: a pass-rate search stops at the first passing sample, so its map holds pass/fail decisions, not gamma values")
        }
    }

    func run() async throws {
        // Pinned: the records must exist. --record: a workspace is made when none is found.
        // Neither: the workspace (if any) only lends its hash cache; nothing is written.
        let found = pin.isPinned ? try space.existingWorkspace() : record || saveGamma ? try space.workspaceForWriting() : try space.workspaceIfAny()
        let workspace = try found ?? Workspace(path: FileManager.default.currentDirectoryPath, create: false)
        let criteria = GammaCriteria(dosePercent: gammaDose, distanceMM: gammaDistance, lowerDoseCutoffPercent: gammaCutoff, maxGamma: maxGamma,
                                     normalisation: localGamma ? .local : .global)
        let selection = pin.selection(in: workspace)
        let predictions = prediction ?? run.map { workspace.file(RunFiles.predictions($0)) } ?? ""
        var request = EvaluateRequest(references: reference, predictions: predictions, selection: selection, workspace: workspace, record: record,
                                      criteria: criteria, subsample: subsample, region: regionMargin,
                                      acceptanceProtocol: try AcceptanceProtocol.load(acceptanceProtocol), openKBP: openkbp, workers: threads.count)
        request.strict = strict
        request.label = label
        request.run = run
        request.predictionDoseUnit = doseUnit
        request.gammaStatistics = gammaStatistics
        request.saveGammaMaps = saveGamma
        request.cacheDirectory = found?.cacheDirectory ?? WorkspaceDiscovery.userCacheDirectory()
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await EvaluateWorkflow.run(request) { step in progress.show(done: step.done, total: step.total, item: step.caseId) }
        progress.finish()
        if printing.json {
            JSONOutput.printRecord(try outcome.record.bytes())
        } else if verbosity.quiet {
            print(EvaluationText.resultLines(outcome.record, plan: outcome.plan, recordFile: outcome.recordFile, alreadyRecorded: outcome.alreadyRecorded), terminator: "")
        } else {
            print(EvaluationText.render(outcome.record, plan: outcome.plan, recordFile: outcome.recordFile, alreadyRecorded: outcome.alreadyRecorded,
                                        gammaMaps: outcome.gammaMaps),
                  terminator: "")
        }
        if outcome.isIncomplete { throw ExitStatus.dataProblems.exitCode }
    }
}

extension LockedSplit.Role: ExpressibleByArgument {}
extension PTVRegion: ExpressibleByArgument {}
extension PredictionDoseUnit: ExpressibleByArgument {}
extension EvaluationRecord.GammaStatistics: ExpressibleByArgument {}

import Audit
import Engine
import Evaluation
import Foundation
import Lineage
import Phantoms
import Reports

/// `dosecurate demo` (what `make demo` runs): the whole path on a seeded phantom cohort in a fresh
/// workspace — phantoms from two institutions with planted defects → audit → freeze (defective
/// cases excluded with reasons) → split lock → train a `tiny` model → predict the test cases →
/// evaluate with the current protocol, keeping gamma maps → the evaluation's report → where every record is.
public struct DemoRequest: Sendable {
    public let workspace: String
    public let cohort: CohortPlan.Options
    public let training: TrainingConfiguration
    public let threads: Int

    /// The demo's cohort is the reference cohort (`scripts/reference-cohort.args`): 8 clean cases
    /// of every kind and one case of every planted defect, institutions A and B, small phantoms,
    /// seed 7; its first half (phantoms → audit → freeze → split lock) makes the repository's
    /// reference records.
    public static let cohort = CohortPlan.Options(cleanCases: 8, defects: PlantedDefect.referenceCohort, institutions: ["A", "B"], size: .small, seed: 7)

    /// A tiny model in about eight minutes on two cores (the whole demo: about nine), with the recipe `dosecurate-bench learn`
    /// settled on (docs/engine.md): 32³ patches, 8 a case per epoch, half of them centred where
    /// the dose is above 50 % of Rx; learning rate 2e-3 after 100 warm-up steps; the underdose term
    /// over every target at weight 0.5. 72 epochs, validated every 24 (each validation costs as
    /// much as three epochs); the one with the lowest validation MAE over the whole volume is the
    /// model (PTV70's MAE alone, over three validation cases, picked a mid-schedule epoch whose test
    /// γ was 5 points below the final one's).
    public static func training(threads: Int) -> TrainingConfiguration {
        TrainingConfiguration(preset: .tiny, depth: 4, patch: [32, 32, 32], batchSize: 2, epochs: 72, patchesPerVolume: 8, learningRate: 2e-3,
                              warmupSteps: 100, ptvUnderdoseWeight: 0.5, ptvUnderdoseTargets: .all, highDoseCentreThreshold: 0.5, validateEvery: 24,
                              selectionMetric: .globalMAE, patience: nil, seed: 7, threads: threads)
    }

    public init(workspace: String, cohort: CohortPlan.Options = Self.cohort, training: TrainingConfiguration? = nil,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        (self.workspace, self.cohort, self.threads) = (workspace, cohort, threads)
        self.training = training ?? Self.training(threads: threads)
    }
}

public enum DemoEvent: Sendable {
    /// A step begins: its number, the step count, and what it does.
    case step(Int, Int, String)
    /// Text to show (a rendered table or record).
    case text(String)
    /// A transient progress line.
    case progress(String)
    case training(TrainProgress)
}

public struct DemoOutcome: Sendable {
    public let dataset: String, split: String, runId: String
    public let evaluationRecord: String?
    /// How good the trained model is on the test cases.
    public let verdict: ModelVerdict
    /// The evaluation, audit and dataset version reports' `index.html` (absolute).
    public let report: String, auditReport: String, versionReport: String
    public let seconds: [(step: String, seconds: Double)]
}

public enum DemoWorkflow {
    /// The reference split: 70/15/15, stratified, seed 0 (`splits/reference@1.json`).
    public static let splitName = "reference", splitRatios = LockedSplit.Ratios(train: 70, val: 15, test: 15), runId = "demo-tiny"
    static let steps = 8

    /// Refuses a workspace folder that exists and is not empty: the demo never writes over anything.
    public static func run(_ request: DemoRequest, events: @escaping @Sendable (DemoEvent) -> Void) async throws -> DemoOutcome {
        let manager = FileManager.default
        if let entries = try? manager.contentsOfDirectory(atPath: request.workspace), !entries.isEmpty {
            throw LineageError.workspaceUnusable(path: request.workspace, reason: "not empty (\(entries.count) entries); the demo starts from an empty folder")
        }
        let space = try WorkspaceDiscovery.initialize(request.workspace).workspace
        var times: [(String, Double)] = []
        func timed<T>(_ number: Int, _ name: String, _ title: String, _ body: () async throws -> T) async rethrows -> T {
            events(.step(number, steps, title))
            let start = Date()
            let value = try await body()
            times.append((name, Date().timeIntervalSince(start)))
            return value
        }

        let cohort = space.file("cohort")
        let plan = CohortPlan(request.cohort)
        let truth = try await timed(1, "phantoms", "phantoms: \(plan.entries.count) cases from institutions \(request.cohort.institutions.joined(separator: ", ")) into \(cohort)") {
            try await CohortWriter.write(plan, to: cohort) { events(.progress("writing \($0)")) }
        }
        let planted = truth.cases.sorted { $0.key < $1.key }.filter { !$0.value.defects.isEmpty }
            .map { "\($0.key): \($0.value.defects.joined(separator: ", ")) (the audit should say \($0.value.expect.joined(separator: ", ")))" }
        events(.text("planted defects:\n" + planted.map { "  " + $0 }.joined(separator: "\n") + "\n"))

        let frozen = try await timed(2, "audit + freeze", "audit and freeze \(cohort) (the audit's findings, then the dataset version)") {
            try await FreezeWorkflow.run(FreezeRequest(paths: [cohort], workspace: space, workers: request.threads)) { step in
                events(.progress("audit [\(step.done)/\(step.total)] \(step.file)"))
            }
        }
        events(.text(AuditTable.render(frozen.report, colour: false)))
        events(.text(DatasetVersionText.render(frozen.revision, note: "records: \(frozen.revision.fileName), \(frozen.revision.dataset.context.audit.report)")))

        let (split, _) = try await timed(3, "split", "lock split \(splitName) of \(frozen.revision.id): 70/15/15, stratified") {
            try SplitBook.lock(.init(name: splitName, dataset: frozen.revision.id, ratios: splitRatios), in: space)
        }
        events(.text(SplitText.render(split, dataset: frozen.revision)))

        let trained = try await timed(4, "train", "train \(request.training.preset.rawValue) on the split's train cases, validating on its val cases") {
            try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: frozen.revision.id, split: split.reference,
                                                       configuration: request.training, runId: runId)) { events(.training($0)) }
        }
        let weights = trained.training.bestCheckpoint ?? trained.training.lastCheckpoint
        events(.text("run \(runId): \(trained.training.epochsCompleted) epochs; weights \(trained.runDirectory)/\(weights)\n"))

        let selection = SplitSelection(workspace: space, dataset: frozen.revision.id, split: split.reference, role: .test)
        let predictions = space.file("\(trained.runDirectory)/predictions")
        let predicted = try await timed(5, "predict", "predict the split's test cases with the best weights (sliding window)") {
            try await PredictWorkflow.run(PredictRequest(weightsPath: space.file("\(trained.runDirectory)/\(weights)"), cases: .pinned(selection),
                                                         outputDirectory: predictions, window: try SlidingWindow(patch: request.training.patch),
                                                         threads: request.threads)) { events(.progress($0)) }
        }
        events(.text(predicted.written.map { "\($0.file): \($0.tiles) tiles, " + String(format: "%.1f s", $0.seconds) }.joined(separator: "\n") + "\n"))

        let evaluated = try await timed(6, "evaluate", "evaluate the predictions against the pinned test cases (current acceptance protocol)") {
            var evaluation = EvaluateRequest(references: [], predictions: predictions, selection: selection, workspace: space, workers: request.threads)
            evaluation.saveGammaMaps = true
            return try await EvaluateWorkflow.run(evaluation) { events(.progress("evaluating [\($0.done)/\($0.total)] \($0.caseId)")) }
        }
        events(.text(EvaluationText.render(evaluated.record, plan: evaluated.plan, recordFile: evaluated.recordFile, alreadyRecorded: evaluated.alreadyRecorded)))
        let verdict = ModelVerdict(evaluated.record)
        events(.text(verdict.text))

        let (report, auditReport, versionReport) = try await timed(7, "report",
                                                                     "draw the reports: the evaluation (lineage, training curves, dose, DVH, gamma, acceptance, femurs), the audit's findings with their evidence, the dataset version") {
            func page(_ subject: String) async throws -> String {
                try await ReportWorkflow.run(ReportRequest(subject: subject, workspace: space, workers: request.threads)) { events(.progress($0)) }.page
            }
            return (try await page(evaluated.record.fileName), try await page(frozen.revision.dataset.context.audit.report),
                    try await page(frozen.revision.reference))
        }

        await timed(8, "records", "where every record is") {
            events(.text("""
                cohort:       \(cohort) (truth.json: what was planted)
                audit:        \(frozen.revision.dataset.context.audit.report), \(frozen.revision.dataset.context.audit.junit)
                version:      \(frozen.revision.fileName)
                split:        \(split.fileName)
                training:     \(trained.runDirectory)/run.json, metrics.csv, result.json, checkpoints/
                predictions:  \(trained.runDirectory)/predictions/
                evaluation:   \(evaluated.recordFile ?? "not recorded"), gamma maps in evaluations/\(evaluated.record.hash.prefix(16))/gamma/
                reports:      \(report) (the evaluation)
                              \(auditReport) (the audit: findings and their evidence)
                              \(versionReport) (the dataset version and its split)

                """))
        }
        return DemoOutcome(dataset: frozen.revision.reference, split: split.reference, runId: runId, evaluationRecord: evaluated.recordFile, verdict: verdict,
                           report: report, auditReport: auditReport, versionReport: versionReport, seconds: times)
    }
}

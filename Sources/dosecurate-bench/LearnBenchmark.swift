import Engine
import Evaluation
import Foundation
import Support

/// Issue 31: time to quality. A seeded cohort of 40 small phantoms from two institutions is frozen,
/// split 80/10/10 and trained on for a fixed wall-clock budget, by the engine and by PyTorch
/// (`python/examples/train_torch.py` under `dosecurate run`, Debian's CPU build) with the same
/// recipe and two threads each; both models then predict the test split and `dosecurate evaluate`
/// scores them the same way. Each trainer is first timed on a short run, so the number of steps it
/// gets is what fits its own budget.
struct LearnBenchmark {
    /// What both trainers are given (the options of `dosecurate train` and of train_torch.py).
    struct Recipe: Sendable {
        var preset = "tiny"
        var patch = 32
        var batchSize = 2
        var learningRate = 2e-3
        var warmupSteps = 100
        var patchesPerVolume = 8
        var centreThreshold = 0.5
        var ptvUnderdoseWeight = 0.5
        var ptvUnderdoseTargets = "all"
        var seed = 7

        var summary: String {
            "\(preset), \(patch)³ patches, batch \(batchSize), lr \(learningRate) (warm-up \(warmupSteps) steps, cosine), "
                + "\(patchesPerVolume) patches per case per epoch, centres above \(centreThreshold) of Rx, PTV underdose weight \(ptvUnderdoseWeight) (\(ptvUnderdoseTargets == "all" ? "every target" : "PTV70 only"))"
        }
    }

    struct CurvePoint: Sendable {
        /// Training plus validation time up to this validation.
        let wallSeconds: Double
        let ptv70AbsoluteD95ErrorGy: Double?, ptv70MAEGy: Double?, maeGy: Double?
    }

    struct TestScores: Sendable {
        let cases: Int
        let ptv70AbsoluteD95ErrorGy: Double?, ptvRegionGammaPercent: Double?, globalGammaPercent: Double?, maeGy: Double?
        /// Predictions with PTV70 V95 ≥ 95 %, and predictions meeting every constraint of the current protocol.
        let ptv70V95Passed: Int, acceptancePassed: Int
    }

    struct Outcome: Sendable {
        let trainer: String
        let steps: Int
        let secondsPerStep: Double
        let curve: [CurvePoint]
        let test: TestScores
        /// The engine's per-phase profile of the run (seconds per step), nil for PyTorch.
        let profile: TrainingStep.PhaseSeconds?

        /// Wall time at which validation PTV70 |D95 error| first fell to `limit`.
        func secondsToReach(ptv70D95ErrorGy limit: Double) -> Double? {
            curve.first { ($0.ptv70AbsoluteD95ErrorGy ?? .infinity) <= limit }?.wallSeconds
        }
    }

    let dosecurate: String
    let scratch: URL
    let repositoryRoot: URL
    /// The Python that imports torch (Debian's).
    let torchPython: String
    /// Validations per run (the curve's points).
    let validations = 5
    /// Epochs of one patch a case that time a step before a run is sized; the last one is timed.
    static let probeEpochs = 2

    /// Phantoms → freeze → split lock; returns the workspace.
    func prepareWorkspace() throws -> String {
        let folder = scratch.appendingPathComponent("learn-bench"), workspace = folder.appendingPathComponent("ws").path
        let cohort = folder.appendingPathComponent("cohort").path
        _ = try Subprocess.run(dosecurate, ["phantoms", cohort, "--cases", "40", "--institutions", "A,B", "--size", "small", "--seed", "11", "--quiet"])
        _ = try Subprocess.run(dosecurate, ["init", workspace])
        _ = try Subprocess.run(dosecurate, ["freeze", cohort, "--workspace", workspace, "--quiet"])
        _ = try Subprocess.run(dosecurate, ["split", "lock", "learn", "--dataset", "latest", "--ratios", "80/10/10", "--workspace", workspace, "--quiet"])
        return workspace
    }

    func engine(_ recipe: Recipe, budgetSeconds: Double, workspace: String) throws -> Outcome {
        let name = "engine-\(recipe.preset)-\(Int(budgetSeconds))"
        // A short run times a step (from its second epoch: the first steps fault in fresh memory
        // and cost up to half as much again) and a validation.
        let probe = try train(engineRun: "\(name)-probe", recipe, epochs: Self.probeEpochs, patchesPerVolume: 1,
                              validateEvery: Self.probeEpochs, workspace: workspace)
        let stepsPerEpoch = try trainCases(workspace) * recipe.patchesPerVolume / recipe.batchSize
        let secondsPerStep = probe.lastEpochSecondsPerStep
        let epochs = max(1, Int((budgetSeconds - Double(validations) * probe.validation) / (secondsPerStep * Double(stepsPerEpoch))))
        let rows = try train(engineRun: name, recipe, epochs: epochs, patchesPerVolume: recipe.patchesPerVolume,
                             validateEvery: max(1, epochs / validations), workspace: workspace)
        let test = try score(run: name, recipe: recipe, workspace: workspace)
        return Outcome(trainer: "dosecurate", steps: rows.steps, secondsPerStep: rows.training / Double(rows.steps), curve: rows.curve,
                       test: test, profile: rows.profile)
    }

    func torch(_ recipe: Recipe, budgetSeconds: Double, workspace: String) throws -> Outcome {
        let name = "torch-\(recipe.preset)-\(Int(budgetSeconds))", cases = try trainCases(workspace)
        let probe = try train(torchRun: "\(name)-probe", recipe, steps: Self.probeEpochs * cases / recipe.batchSize,
                              validateEvery: Self.probeEpochs, workspace: workspace)
        let secondsPerStep = probe.lastEpochSecondsPerStep
        let steps = max(1, Int((budgetSeconds - Double(validations) * probe.validation) / secondsPerStep))
        let epochs = max(1, steps / (cases * recipe.patchesPerVolume / recipe.batchSize))
        let rows = try train(torchRun: name, recipe, steps: steps, validateEvery: max(1, epochs / validations), workspace: workspace)
        let test = try score(run: name, recipe: recipe, workspace: workspace)
        return Outcome(trainer: "PyTorch \(torchVersion())", steps: rows.steps, secondsPerStep: rows.training / Double(rows.steps), curve: rows.curve,
                       test: test, profile: nil)
    }

    // MARK: - Runs

    private struct Rows {
        let steps: Int
        let training: Double, validation: Double
        /// The last epoch's training seconds per step.
        let lastEpochSecondsPerStep: Double
        let curve: [CurvePoint]
        let profile: TrainingStep.PhaseSeconds?
    }

    private func train(engineRun run: String, _ recipe: Recipe, epochs: Int, patchesPerVolume: Int, validateEvery: Int, workspace: String) throws -> Rows {
        _ = try Subprocess.run(dosecurate, [
            "train", "--dataset", "latest", "--split", "learn", "--run-id", run, "--workspace", workspace, "--quiet", "--threads", "2",
            "--preset", recipe.preset, "--patch", "\(recipe.patch)", "--batch-size", "\(recipe.batchSize)", "--lr", "\(recipe.learningRate)",
            "--warmup-steps", "\(recipe.warmupSteps)", "--patches-per-volume", "\(patchesPerVolume)", "--centre-threshold", "\(recipe.centreThreshold)",
            "--ptv-underdose-weight", "\(recipe.ptvUnderdoseWeight)", "--ptv-underdose-targets", recipe.ptvUnderdoseTargets, "--seed", "\(recipe.seed)",
            "--epochs", "\(epochs)",
            "--validate-every", "\(validateEvery)", "--patience", "0",
        ])
        return try rows(of: run, workspace: workspace)
    }

    private func train(torchRun run: String, _ recipe: Recipe, steps: Int, validateEvery: Int, workspace: String) throws -> Rows {
        let script = repositoryRoot.appendingPathComponent("python/examples/train_torch.py").path
        _ = try Subprocess.run(dosecurate, [
            "run", "--dataset", "latest", "--split", "learn", "--run-id", run, "--workspace", workspace, "--quiet", "--",
            torchPython, script, "--preset", recipe.preset, "--patch", "\(recipe.patch)", "--batch-size", "\(recipe.batchSize)",
            "--lr", "\(recipe.learningRate)", "--warmup-steps", "\(recipe.warmupSteps)", "--patches-per-volume", "\(recipe.patchesPerVolume)",
            "--centre-threshold", "\(recipe.centreThreshold)", "--ptv-underdose-weight", "\(recipe.ptvUnderdoseWeight)",
            "--ptv-underdose-targets", recipe.ptvUnderdoseTargets, "--seed", "\(recipe.seed)", "--steps", "\(steps)", "--validate-every", "\(validateEvery)",
        ])
        return try rows(of: run, workspace: workspace)
    }

    /// metrics.csv by column name: steps, training and validation time, the validation curve, the profile.
    private func rows(of run: String, workspace: String) throws -> Rows {
        let text = try String(contentsOfFile: "\(workspace)/runs/\(run)/metrics.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, lines.count > 1 else { throw BenchmarkError("runs/\(run)/metrics.csv: no rows") }
        func value(_ row: [String], _ column: String) -> Double? {
            header.firstIndex(of: column).flatMap { $0 < row.count ? Double(row[$0]) : nil }
        }
        var training = 0.0, validation = 0.0, curve: [CurvePoint] = [], profile = TrainingStep.PhaseSeconds()
        var lastEpoch = (seconds: 0.0, steps: 0), stepsBefore = 0
        for row in lines.dropFirst() {
            let step = value(row, "step").map(Int.init) ?? stepsBefore
            lastEpoch = (value(row, "seconds") ?? 0, step - stepsBefore)
            stepsBefore = step
            training += value(row, "seconds") ?? 0
            validation += value(row, "validation_seconds") ?? 0
            profile = profile + TrainingStep.PhaseSeconds(read: value(row, "read_seconds") ?? 0, forward: value(row, "forward_seconds") ?? 0,
                                                          backward: value(row, "backward_seconds") ?? 0, optimizer: value(row, "optimizer_seconds") ?? 0)
            if value(row, "val_mae_gy") != nil {
                curve.append(CurvePoint(wallSeconds: training + validation, ptv70AbsoluteD95ErrorGy: value(row, "val_ptv70_abs_d95_error_gy"),
                                        ptv70MAEGy: value(row, "val_ptv70_mae_gy"), maeGy: value(row, "val_mae_gy")))
            }
        }
        let steps = lines.last.flatMap { value($0, "step") }.map(Int.init) ?? 0
        guard steps > 0 else { throw BenchmarkError("runs/\(run)/metrics.csv: no steps") }
        let perStep = TrainingStep.PhaseSeconds(read: profile.read / Double(steps), forward: profile.forward / Double(steps),
                                                backward: profile.backward / Double(steps), optimizer: profile.optimizer / Double(steps))
        return Rows(steps: steps, training: training, validation: validation,
                    lastEpochSecondsPerStep: lastEpoch.steps > 0 ? lastEpoch.seconds / Double(lastEpoch.steps) : training / Double(steps), curve: curve,
                    profile: profile.forward > 0 ? perStep : nil)
    }

    /// The run's best weights over the test split, evaluated with the current protocol.
    private func score(run: String, recipe: Recipe, workspace: String) throws -> TestScores {
        _ = try Subprocess.run(dosecurate, ["predict", "--run", run, "--dataset", "latest", "--split", "learn", "--patch", "\(recipe.patch)",
                                            "--workspace", workspace, "--quiet"])
        let json = try Subprocess.run(dosecurate, ["evaluate", "--run", run, "--dataset", "latest", "--split", "learn", "--workspace", workspace,
                                                   "--quiet", "--json"])
        let file = scratch.appendingPathComponent("evaluation-\(run).json").path
        try AtomicFile.write(Array(json.utf8), to: file)
        let record = try EvaluationRecord.read(file)
        let aggregate = record.identity.aggregate, verdict = ModelVerdict(record)
        return TestScores(cases: verdict.cases, ptv70AbsoluteD95ErrorGy: verdict.meanAbsoluteD95ErrorGy, ptvRegionGammaPercent: verdict.meanPTVGammaPercent,
                          globalGammaPercent: aggregate.gammaGlobalPassRate.mean, maeGy: aggregate.maeGy.mean, ptv70V95Passed: verdict.v95Covered,
                          acceptancePassed: verdict.predictionsPassing)
    }

    private func trainCases(_ workspace: String) throws -> Int {
        let text = try Subprocess.run(dosecurate, ["split", "show", "learn", "--workspace", workspace, "--json"])
        let split = try JSONValue.parse(Array(text.utf8))
        guard let count = split["identity"]?["cases"]?.arrayValue?.filter({ $0["role"]?.stringValue == "train" }).count, count > 0 else {
            throw BenchmarkError("split learn: no train cases in `dosecurate split show --json`")
        }
        return count
    }

    private func torchVersion() -> String {
        ((try? Subprocess.run(torchPython, ["-c", "import torch; print(torch.__version__)"])) ?? "?").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

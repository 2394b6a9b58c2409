import Support
import DoseCase
import Dosimetry
import Foundation
import NumpyFormat

/// The cases a run trains and validates on, read from a training cache (`TrainingCacheFile`).
public struct TrainingSet: Sendable, Equatable {
    public let cachePath: String
    public let trainCases: [String]
    public let validationCases: [String]
    /// Written into every checkpoint's weights metadata.
    public let datasetVersion: String

    public init(cachePath: String, trainCases: [String], validationCases: [String], datasetVersion: String) {
        (self.cachePath, self.trainCases, self.validationCases, self.datasetVersion) = (cachePath, trainCases, validationCases, datasetVersion)
    }
}

/// Validation scores of one epoch: means over the validation cases, in Gy, after sliding-window
/// prediction of each whole volume (clamped to [0, 1.5] as `predict` writes it).
public struct ValidationScores: Sendable, Equatable, Codable {
    /// MAE over every voxel of the volume (the historic `mae_gy`).
    public let maeGy: Double
    /// MAE inside PTV70 (its binary mask).
    public let ptv70MAEGy: Double?
    /// Mean of predicted − true PTV70 D95 (negative: the model underdoses).
    public let ptv70D95ErrorGy: Double?
    /// Mean of |predicted − true PTV70 D95|.
    public let ptv70AbsoluteD95ErrorGy: Double?
    public let cases: Int

    public func value(of metric: TrainingConfiguration.SelectionMetric) -> Double? {
        switch metric {
        case .ptv70MAE: ptv70MAEGy
        case .globalMAE: maeGy
        case .ptv70D95Error: ptv70AbsoluteD95ErrorGy
        }
    }
}

/// One finished epoch, as `metrics.csv` holds it.
public struct EpochSummary: Sendable, Equatable {
    public let epoch: Int
    /// Optimiser steps taken by the end of the epoch.
    public let step: Int
    public let learningRate: Double
    /// Mean training loss of the epoch's batches.
    public let trainLoss: Double
    /// Mean gradient norm before clipping.
    public let gradientNorm: Double
    public let seconds: Double
    public let validation: ValidationScores?
    public let isBest: Bool
    /// The epoch's training time by phase (summed over its steps).
    public let phases: TrainingStep.PhaseSeconds
    /// Time spent validating after the epoch (0 when it did not validate).
    public let validationSeconds: Double

    /// The first eleven columns are the contract `dosecurate_torch.log_metrics` shares; the
    /// engine's step profile follows them.
    public static let csvHeader = "epoch,step,learning_rate,train_loss,gradient_norm,seconds,val_mae_gy,val_ptv70_mae_gy,val_ptv70_d95_error_gy,val_ptv70_abs_d95_error_gy,best,"
        + "read_seconds,forward_seconds,backward_seconds,optimizer_seconds,validation_seconds"

    /// The columns that hold wall time: the only ones two identical runs disagree on.
    public static let timeColumns: Set<String> = ["seconds", "read_seconds", "forward_seconds", "backward_seconds", "optimizer_seconds", "validation_seconds"]

    /// A metrics.csv row (or the header) without its time columns.
    public static func withoutTimes(_ row: Substring) -> String {
        let names = csvHeader.split(separator: ",")
        return row.split(separator: ",", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset >= names.count || !timeColumns.contains(String(names[$0.offset])) }.map(\.element).joined(separator: ",")
    }

    public var csvRow: String {
        func text(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
        return ([String(epoch), String(step), "\(learningRate)", "\(trainLoss)", "\(gradientNorm)", String(format: "%.3f", seconds),
                text(validation?.maeGy), text(validation?.ptv70MAEGy), text(validation?.ptv70D95ErrorGy),
                text(validation?.ptv70AbsoluteD95ErrorGy), isBest ? "1" : "0"]
            + [phases.read, phases.forward, phases.backward, phases.optimizer, validationSeconds].map { String(format: "%.3f", $0) })
            .joined(separator: ",")
    }
}

/// What the trainer reports as it goes.
public enum TrainingEvent: Sendable {
    /// From the checkpoint of `fromEpoch`; from the start (epoch 0, no checkpoint) when the run
    /// was killed before its first.
    case resumed(fromEpoch: Int, checkpoint: String?)
    case step(epoch: Int, batch: Int, batches: Int, loss: Float, secondsLeft: Double?)
    case validating(epoch: Int, caseIndex: Int, cases: Int)
    case epochFinished(EpochSummary)
}

public struct TrainingOutcome: Sendable {
    /// The last epoch whose checkpoint was written.
    public let epochsCompleted: Int
    public let stoppedEarly: Bool
    /// The epoch with the best validation score, and that score; nil without validation cases.
    public let bestEpoch: Int?, bestValue: Double?
    /// Relative to the run folder.
    public let bestCheckpoint: String?, lastCheckpoint: String
    public let finalTrainLoss: Double?
    /// This session's time in training steps and in validation.
    public let trainingSeconds: Double, validationSeconds: Double
}

/// The training loop (issue 13) over one run folder:
///
///     checkpoints/epoch-<n>.safetensors + .optstate   the latest finished epoch (older ones removed)
///     checkpoints/best.safetensors                    weights of the best validation epoch
///     metrics.csv                                     one row per finished epoch
///
/// Each epoch draws `patchesPerVolume` patches per training case from a generator seeded by
/// (seed, epoch), shuffles them, and steps through them in batches with the cosine learning
/// rate; then validates (every `validateEvery` epochs and after the last) and checkpoints. A
/// resumed run restarts at the epoch after its latest intact checkpoint, with that epoch's own
/// generator, so it takes the steps an uninterrupted run would have taken, bit for bit.
public struct Trainer: Sendable {
    public let configuration: TrainingConfiguration
    public let data: TrainingSet
    public let directory: String
    /// Training cases whose arrays together fit in this many bytes are read from the cache once
    /// and cut in memory; larger sets are read box by box. Either way the patches are the same.
    public let inMemoryLimitBytes: Int

    /// 4 GiB: a 40-case cohort of small phantoms takes about 1.5 GiB.
    public static let defaultInMemoryLimitBytes = 4 << 30
    public static let metricsFile = "metrics.csv", checkpointFolder = "checkpoints", bestCheckpointBase = "checkpoints/best"

    public init(configuration: TrainingConfiguration, data: TrainingSet, directory: String, inMemoryLimitBytes: Int = defaultInMemoryLimitBytes) throws {
        guard !data.trainCases.isEmpty else {
            throw EngineError.noCases(role: "training")
        }
        (self.configuration, self.data, self.directory) = (try configuration.validated(), data, directory)
        self.inMemoryLimitBytes = inMemoryLimitBytes
    }

    /// Patches per epoch and optimiser steps per epoch (the last batch may be smaller).
    public var batchesPerEpoch: Int { (data.trainCases.count * configuration.patchesPerVolume + configuration.batchSize - 1) / configuration.batchSize }

    /// Trains from scratch (`resume` false; the folder must hold no checkpoint) or from the
    /// latest intact checkpoint.
    public func run(resume: Bool, events: (TrainingEvent) -> Void = { _ in }) throws -> TrainingOutcome {
        let backend = try CPUBackend(threads: configuration.threads)
        let cache = try TrainingCacheReader(path: data.cachePath)
        let channels = try cache.extent(caseId: data.trainCases[0], array: "input")[0]
        let modelConfiguration = try UNetConfiguration(preset: configuration.preset, depth: configuration.depth, inputChannels: channels)
        let sampler = try PatchSampler(patch: configuration.patch, maxShift: configuration.maxShift)
        let resampling = try InPlaneResampling(factor: configuration.resample)
        let cacheFactor = (try? cache.attribute("resample")).flatMap(Int.init) ?? 1
        guard cacheFactor == resampling.factor else {
            throw EngineError.cacheMismatch(file: data.cachePath, expected: "resample factor \(resampling.factor) (the run's)", found: "\(cacheFactor)")
        }
        let arrayBytes = try data.trainCases.reduce(0) { total, caseId in
            total + (try cache.extent(caseId: caseId, array: "input")).reduce(1, *) / channels * (channels + 1) * MemoryLayout<Float>.size
        }
        let inMemory = arrayBytes <= inMemoryLimitBytes
        let threshold = Float(configuration.highDoseCentreThreshold)
        let training = try data.trainCases.map {
            try TrainingCase(caseId: $0, cache: cache, channels: channels, inMemory: inMemory, highDoseThreshold: threshold)
        }
        let schedule = try CosineSchedule(base: configuration.learningRate, totalSteps: configuration.epochs * batchesPerEpoch,
                                          minimum: configuration.minimumLearningRate, warmupSteps: configuration.warmupSteps)
        try FileManager.default.createDirectory(atPath: file(Self.checkpointFolder), withIntermediateDirectories: true)

        var progress = try resume ? resumedProgress(modelConfiguration, events: events) : freshProgress(modelConfiguration)
        guard progress.model.configuration == modelConfiguration else {
            throw EngineError.resumeMismatch(file: "resumed model", expected: "\(modelConfiguration)", found: "\(progress.model.configuration)")
        }
        var trainingSeconds = 0.0, validationSeconds = 0.0, stepsThisSession = 0, stoppedEarly = false, finalLoss: Double?
        let totalSteps = configuration.epochs * batchesPerEpoch
        let window = try configuration.validationWindow
        for epoch in (progress.epoch + 1)...max(progress.epoch + 1, configuration.epochs) where epoch <= configuration.epochs {
            let epochStart = Date()
            let draws = sampler.epochDraws(training.map(\.centres), seed: configuration.seed, epoch: epoch,
                                           patchesPerVolume: configuration.patchesPerVolume)
            var lossSum = 0.0, normSum = 0.0, phases = TrainingStep.PhaseSeconds()
            for batch in 0..<batchesPerEpoch {
                let members = draws[(batch * configuration.batchSize)..<min(draws.count, (batch + 1) * configuration.batchSize)]
                let readStart = Date()
                let (input, constraints, target) = try batchTensors(members, training: training, cache: cache, sampler: sampler, channels: channels)
                phases.read += Date().timeIntervalSince(readStart)
                progress.optimizer.settings.learningRate = schedule.learningRate(atStep: progress.optimizer.step)
                let result = try TrainingStep.run(model: &progress.model, optimizer: &progress.optimizer, input: input, constraints: constraints,
                                                  target: target, negativePenaltyWeight: Float(configuration.negativePenaltyWeight),
                                                  ptvUnderdoseWeight: Float(configuration.ptvUnderdoseWeight),
                                                  ptvUnderdoseTargets: configuration.ptvUnderdoseTargets,
                                                  maxGradientNorm: Float(configuration.maxGradientNorm), on: backend)
                phases = phases + result.seconds
                lossSum += Double(result.loss)
                normSum += Double(result.gradientNorm)
                stepsThisSession += 1
                let elapsed = trainingSeconds + Date().timeIntervalSince(epochStart)
                let remaining = totalSteps - progress.optimizer.step
                events(.step(epoch: epoch, batch: batch + 1, batches: batchesPerEpoch, loss: result.loss,
                             secondsLeft: elapsed / Double(stepsThisSession) * Double(remaining)))
                CrashPoint.reach("train-epoch-\(epoch)-batch-\(batch + 1)")
            }
            let epochSeconds = Date().timeIntervalSince(epochStart)
            trainingSeconds += epochSeconds
            finalLoss = lossSum / Double(batchesPerEpoch)

            var scores: ValidationScores?, isBest = false, epochValidationSeconds = 0.0
            if !data.validationCases.isEmpty, epoch % configuration.validateEvery == 0 || epoch == configuration.epochs {
                let validationStart = Date()
                scores = try validate(progress.model, window: window, resampling: resampling, cache: cache, backend: backend) { index in
                    events(.validating(epoch: epoch, caseIndex: index, cases: data.validationCases.count))
                }
                epochValidationSeconds = Date().timeIntervalSince(validationStart)
                validationSeconds += epochValidationSeconds
                if let value = scores?.value(of: configuration.selectionMetric) {
                    if progress.bestValue.map({ value < $0 }) ?? true {
                        (progress.bestEpoch, progress.bestValue, progress.staleValidations, isBest) = (epoch, value, 0, true)
                        var best = ModelWeights(model: progress.model, datasetVersion: data.datasetVersion, resampling: resampling, trainingPatch: configuration.patch).safeTensors
                        best.metadata["epoch"] = "\(epoch)"
                        best.metadata[configuration.selectionMetric.rawValue] = "\(value)"
                        try best.write(to: file("\(Self.bestCheckpointBase).\(Checkpoint.weightsExtension)"))
                    } else {
                        progress.staleValidations += 1
                    }
                }
            }
            let summary = EpochSummary(epoch: epoch, step: progress.optimizer.step, learningRate: progress.optimizer.settings.learningRate,
                                       trainLoss: lossSum / Double(batchesPerEpoch), gradientNorm: normSum / Double(batchesPerEpoch),
                                       seconds: epochSeconds, validation: scores, isBest: isBest, phases: phases,
                                       validationSeconds: epochValidationSeconds)
            progress.metricsRows.append(summary.csvRow)
            // The row first, then the checkpoint: a crash between them leaves a row a resume drops.
            try AtomicFile.write(Array(([EpochSummary.csvHeader] + progress.metricsRows).joined(separator: "\n").utf8) + [0x0A],
                                 to: file(Self.metricsFile))
            progress.epoch = epoch
            try Checkpoint.write(model: progress.model, optimizer: progress.optimizer, datasetVersion: data.datasetVersion, resampling: resampling,
                                 trainingPatch: configuration.patch,
                                 state: progress.state, crashPoint: "train-checkpoint-\(epoch)", to: file(Self.epochBase(epoch)))
            CrashPoint.reach("train-checkpoint-\(epoch)")
            for older in checkpointEpochs() where older < epoch { removeCheckpoint(epoch: older) }
            events(.epochFinished(summary))
            if let patience = configuration.patience, progress.staleValidations >= patience {
                stoppedEarly = true
                break
            }
        }
        return TrainingOutcome(epochsCompleted: progress.epoch, stoppedEarly: stoppedEarly, bestEpoch: progress.bestEpoch, bestValue: progress.bestValue,
                               bestCheckpoint: progress.bestEpoch == nil ? nil : "\(Self.bestCheckpointBase).\(Checkpoint.weightsExtension)",
                               lastCheckpoint: "\(Self.epochBase(progress.epoch)).\(Checkpoint.weightsExtension)",
                               finalTrainLoss: finalLoss, trainingSeconds: trainingSeconds, validationSeconds: validationSeconds)
    }

    // MARK: - Progress and checkpoints

    /// Where a run stands: the model and optimiser after `epoch` finished epochs, the best score
    /// so far, and the metrics rows up to that epoch.
    private struct Progress {
        var model: BaselineUNet3D
        var optimizer: AdamW
        var epoch: Int
        var bestEpoch: Int?, bestValue: Double?
        var staleValidations: Int
        var metricsRows: [String]

        var state: [String: String] {
            var state = ["epoch": "\(epoch)", "stale_validations": "\(staleValidations)"]
            if let bestEpoch, let bestValue { (state["best_epoch"], state["best_value"]) = ("\(bestEpoch)", "\(bestValue)") }
            return state
        }
    }

    private func freshProgress(_ modelConfiguration: UNetConfiguration) throws -> Progress {
        if let existing = checkpointEpochs().last {
            throw EngineError.runFolderNotEmpty(directory: directory, latestEpoch: existing)
        }
        var generator = SeededGenerator(seed: configuration.seed)
        let settings = AdamW.Settings(learningRate: configuration.learningRate, beta1: configuration.adamBetas[0], beta2: configuration.adamBetas[1],
                                      epsilon: configuration.adamEpsilon, weightDecay: configuration.weightDecay)
        return Progress(model: try BaselineUNet3D(configuration: modelConfiguration, generator: &generator), optimizer: try AdamW(settings: settings),
                        epoch: 0, bestEpoch: nil, bestValue: nil, staleValidations: 0, metricsRows: [])
    }

    /// The latest checkpoint that reads back whole (a pair torn by a crash is skipped, never
    /// used), and the metrics rows up to its epoch. A run killed before its first checkpoint's
    /// weights were written starts again from its seed.
    private func resumedProgress(_ modelConfiguration: UNetConfiguration, events: (TrainingEvent) -> Void) throws -> Progress {
        guard !checkpointEpochs().isEmpty else {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: file(Self.checkpointFolder))) ?? [] where name.hasPrefix("epoch-") {
                try? FileManager.default.removeItem(atPath: file("\(Self.checkpointFolder)/\(name)"))
            }
            events(.resumed(fromEpoch: 0, checkpoint: nil))
            return try freshProgress(modelConfiguration)
        }
        var refusals: [String] = []
        for epoch in checkpointEpochs().reversed() {
            let base = file(Self.epochBase(epoch))
            do {
                let (weights, optimizer, state) = try Checkpoint.read(base: base)
                guard state["epoch"] == "\(epoch)", let stale = state["stale_validations"].flatMap(Int.init) else {
                    throw EngineError.resumeMismatch(file: base, expected: "trainer state of epoch \(epoch)", found: "\(state)")
                }
                let rows = try metricsRows(upTo: epoch)
                events(.resumed(fromEpoch: epoch, checkpoint: "\(Self.epochBase(epoch)).\(Checkpoint.weightsExtension)"))
                return Progress(model: weights.model, optimizer: optimizer, epoch: epoch, bestEpoch: state["best_epoch"].flatMap(Int.init),
                                bestValue: state["best_value"].flatMap(Double.init), staleValidations: stale, metricsRows: rows)
            } catch {
                refusals.append("\(error)")
            }
        }
        throw EngineError.cannotResume(directory: directory, reasons: refusals)
    }

    private func metricsRows(upTo epoch: Int) throws -> [String] {
        guard epoch > 0 else { return [] }
        guard let data = FileManager.default.contents(atPath: file(Self.metricsFile)) else {
            throw EngineError.resumeMismatch(file: file(Self.metricsFile), expected: "the rows of epochs 1…\(epoch)", found: "no file")
        }
        let rows = String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().map(String.init)
            .filter { row in row.split(separator: ",").first.flatMap { Int($0) }.map { $0 <= epoch } ?? false }
        guard rows.count == epoch else {
            throw EngineError.resumeMismatch(file: file(Self.metricsFile), expected: "\(epoch) rows up to epoch \(epoch)", found: "\(rows.count)")
        }
        return rows
    }

    static func epochBase(_ epoch: Int) -> String { "\(checkpointFolder)/epoch-\(String(format: "%04d", epoch))" }

    private func file(_ relative: String) -> String { "\(directory)/\(relative)" }

    /// Epochs with a checkpoint weights file, ascending.
    private func checkpointEpochs() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: file(Self.checkpointFolder))) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("epoch-"), name.hasSuffix(".\(Checkpoint.weightsExtension)") else { return nil }
            return Int(name.dropFirst("epoch-".count).dropLast(Checkpoint.weightsExtension.count + 1))
        }.sorted()
    }

    private func removeCheckpoint(epoch: Int) {
        for fileExtension in [Checkpoint.weightsExtension, Checkpoint.optimizerExtension] {
            try? FileManager.default.removeItem(atPath: file("\(Self.epochBase(epoch)).\(fileExtension)"))
        }
    }

    // MARK: - Data

    /// A training case: where its patch centres may fall, its plan constraints and, when the
    /// training set fits in memory, its arrays (inflated from the cache once).
    private struct TrainingCase {
        let caseId: String
        let centres: PatchSampler.Centres
        let constraints: [Float]
        let volume: PatchSampler.Volume?

        init(caseId: String, cache: TrainingCacheReader, channels: Int, inMemory: Bool, highDoseThreshold: Float) throws {
            let extent = try cache.extent(caseId: caseId, array: "input")
            guard extent[0] == channels else {
                throw EngineError.mismatch(role: "\(cache.path): cases/\(caseId)/input channels", expected: [channels], found: [extent[0]])
            }
            let spatial = Array(extent.suffix(3))
            self.caseId = caseId
            let dose = try cache.readBox(caseId: caseId, array: "dose", start: [0, 0, 0], size: spatial)
            if inMemory {
                let input = try cache.readBox(caseId: caseId, array: "input", start: [0, 0, 0], size: spatial)
                let volume = try PatchSampler.Volume(input: Tensor(shape: [1, channels] + spatial, elements: input),
                                                     dose: Tensor(shape: [1, 1] + spatial, elements: dose), highDoseThreshold: highDoseThreshold)
                (self.volume, centres) = (volume, volume.centres)
            } else {
                (volume, centres) = (nil, try PatchSampler.Centres(extent: spatial, dose: dose, highDoseThreshold: highDoseThreshold))
            }
            constraints = try cache.floatAttribute("constraints", of: "cases/\(caseId)")
            guard constraints.count == UNetConfiguration.constraintFeatures else {
                throw EngineError.mismatch(role: "\(cache.path): constraints of \(caseId)", expected: [UNetConfiguration.constraintFeatures], found: [constraints.count])
            }
        }
    }

    /// The batch's input (B, C, patch), constraints (B, 13) and dose (B, 1, patch), each patch
    /// cut from the case in memory or read from the cache box by box, and oriented as its draw says.
    private func batchTensors(_ members: ArraySlice<(volume: Int, draw: PatchSampler.Draw)>, training: [TrainingCase], cache: TrainingCacheReader,
                              sampler: PatchSampler, channels: Int) throws -> (Tensor, Tensor, Tensor) {
        let patch = configuration.patch
        var inputs: [Float] = [], doses: [Float] = [], constraints: [Float] = []
        for (caseIndex, draw) in members {
            let item = training[caseIndex]
            let oriented: (input: Tensor, dose: Tensor)
            if let volume = item.volume {
                oriented = try sampler.patch(of: volume, by: draw)
            } else {
                let input = try Tensor(shape: [1, channels] + patch, elements: cache.readBox(caseId: item.caseId, array: "input", start: draw.start, size: patch))
                let dose = try Tensor(shape: [1, 1] + patch, elements: cache.readBox(caseId: item.caseId, array: "dose", start: draw.start, size: patch))
                oriented = try sampler.oriented(input: input, dose: dose, by: draw)
            }
            inputs += oriented.input.elements
            doses += oriented.dose.elements
            constraints += item.constraints
        }
        let batch = members.count
        return (try Tensor(shape: [batch, channels] + patch, elements: inputs),
                try Tensor(shape: [batch, UNetConfiguration.constraintFeatures], elements: constraints),
                try Tensor(shape: [batch, 1] + patch, elements: doses))
    }

    // MARK: - Validation

    /// Gy per unit of normalised dose (spec: stored dose × 70 Gy).
    static let prescriptionGy: Float = 70

    /// Every validation case predicted whole on the training grid, mapped back to the case's own
    /// grid when resampled, and scored there.
    private func validate(_ model: BaselineUNet3D, window: SlidingWindow, resampling: InPlaneResampling, cache: TrainingCacheReader,
                          backend: CPUBackend, progress: (Int) -> Void) throws -> ValidationScores {
        let channelNames = try JSONValue.parse(Array(cache.attribute("channels").utf8)).arrayValue?.compactMap(\.stringValue) ?? []
        guard let ptv70Channel = channelNames.firstIndex(of: StructureChannel.ptv70), ptv70Channel >= 1 else {
            throw TrainingCacheError.missing(file: cache.path, object: "a PTV70 channel in the channels attribute \(channelNames)")
        }
        var mae = 0.0, ptvMAE: [Double] = [], d95Errors: [Double] = []
        for (index, caseId) in data.validationCases.enumerated() {
            progress(index + 1)
            let extent = try cache.extent(caseId: caseId, array: "input")
            let spatial = Array(extent.suffix(3))
            let input = try Tensor(shape: [1] + extent, elements: cache.readBox(caseId: caseId, array: "input", start: [0, 0, 0], size: spatial))
            let constraints = try Tensor(shape: [1, UNetConfiguration.constraintFeatures], elements: cache.floatAttribute("constraints", of: "cases/\(caseId)"))
            let (doseArray, masksArray) = resampling.isIdentity ? ("dose", "masks") : ("native_dose", "native_masks")
            let native = try cache.extent(caseId: caseId, array: doseArray), voxels = native.reduce(1, *)
            let reference = try cache.readBox(caseId: caseId, array: doseArray, start: [0, 0, 0], size: native)
            let masks = try cache.readMaskBox(caseId: caseId, array: masksArray, start: [0, 0, 0], size: native)
            guard masks.count >= ptv70Channel * voxels, resampling.coarseExtent(native) == spatial else {
                throw TrainingCacheError.shape(file: cache.path, object: "cases/\(caseId)/\(masksArray) (\(masks.count / max(voxels, 1)) channels) on a grid matching input \(spatial)",
                                               found: native)
            }
            let ptv70 = Array(masks[((ptv70Channel - 1) * voxels)..<(ptv70Channel * voxels)])
            let coarse = try window.predict(input) { try model.forward($0, constraints: constraints, on: backend) }
            // Scored as `predict` writes it: no dose in the air around the patient (found on the
            // CT brought back to the case's grid when the run is resampled).
            let coarseCT = Array(input.elements.prefix(spatial.reduce(1, *)))
            let externalAir = ExternalAir.mask(normalizedCT: try Volume(shape: VolumeShape(rows: native[0], columns: native[1], slices: native[2]), elements: resampling.upsample(coarseCT, native: native)))
            let predicted = PredictedDose.finished(resampling.upsample(coarse.elements, native: native), externalAir: externalAir)
            let referenceGy = reference.map { $0 * Self.prescriptionGy }, predictedGy = predicted.map { $0 * Self.prescriptionGy }
            mae += DoseErrors(referenceGy: referenceGy, predictionGy: predictedGy).overallGy ?? 0
            let inside = ptv70.indices.filter { ptv70[$0] != 0 }
            guard !inside.isEmpty else { continue }
            var ptvErrorSum = 0.0
            for voxel in inside { ptvErrorSum += Double((predictedGy[voxel] - referenceGy[voxel]).magnitude) }
            ptvMAE.append(ptvErrorSum / Double(inside.count))
            let truth = StructureDose(dose: reference, mask: ptv70, scaleGy: Double(Self.prescriptionGy), voxelVolumeCC: 1)
            let prediction = StructureDose(dose: predicted, mask: ptv70, scaleGy: Double(Self.prescriptionGy), voxelVolumeCC: 1)
            if let trueD95 = truth.doseGy(covering: 95), let predictedD95 = prediction.doseGy(covering: 95) { d95Errors.append(predictedD95 - trueD95) }
        }
        func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        return ValidationScores(maeGy: mae / Double(data.validationCases.count), ptv70MAEGy: mean(ptvMAE), ptv70D95ErrorGy: mean(d95Errors),
                                ptv70AbsoluteD95ErrorGy: mean(d95Errors.map(\.magnitude)), cases: data.validationCases.count)
    }
}

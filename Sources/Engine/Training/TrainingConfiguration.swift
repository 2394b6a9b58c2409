/// Every setting of a training run (issue 13), recorded whole in `run.json`'s `config`: what a
/// reader needs to repeat the run, including the ones that are fixed today (loss weights, flip
/// probability, the share of high-dose patch centres) so a change to them shows in the record.
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    /// The validation number that picks the best checkpoint (lower is better for all three).
    public enum SelectionMetric: String, Sendable, Codable, CaseIterable {
        /// Mean over validation cases of the MAE inside PTV70, Gy.
        case ptv70MAE = "ptv70-mae"
        /// Mean over validation cases of the MAE over the whole volume, Gy.
        case globalMAE = "global-mae"
        /// Mean over validation cases of |predicted − true PTV70 D95|, Gy.
        case ptv70D95Error = "ptv70-d95-error"
    }

    public var preset: UNetConfiguration.Preset
    public var depth: Int
    /// Patch extent (Y, X, Z), each a multiple of 2^depth; also the validation window.
    public var patch: [Int]
    public var batchSize: Int
    public var epochs: Int
    public var patchesPerVolume: Int
    public var learningRate: Double
    /// The cosine schedule's floor.
    public var minimumLearningRate: Double
    /// Steps of linear learning-rate warm-up before the cosine (0: none).
    public var warmupSteps: Int
    public var weightDecay: Double
    public var adamBetas: [Double]
    public var adamEpsilon: Double
    public var maxGradientNorm: Double
    /// Weight of mean(ReLU(−prediction)) added to the MSE.
    public var negativePenaltyWeight: Double
    /// Weight of the PTV underdose term (`Loss.ptvUnderdose`) added to the loss (0: none).
    public var ptvUnderdoseWeight: Double
    /// The targets that term covers.
    public var ptvUnderdoseTargets: Loss.PTVTargets
    /// Largest integer translation of a patch centre per axis, voxels.
    public var maxShift: Int
    /// Fixed by `PatchSampler`; recorded.
    public var flipProbability: Double
    public var highDoseCentreFraction: Double
    /// Normalised dose above which a voxel may be a high-dose patch centre (0.1: 10 % of Rx, the
    /// first trainer's; higher values centre those patches on the targets and their fall-off).
    public var highDoseCentreThreshold: Double
    /// The first trainer's threshold (`PatchSampler.defaultHighDoseThreshold`), as run records store it.
    public static let defaultHighDoseCentreThreshold = 0.1
    /// Validate every this many epochs (and after the last).
    public var validateEvery: Int
    /// Fraction of the window neighbouring validation tiles share.
    public var validationOverlap: Double
    public var selectionMetric: SelectionMetric
    /// Stop after this many validations without improvement; nil: never stop early.
    public var patience: Int?
    public var seed: UInt64
    /// Engine threads; 1 is bit-for-bit repeatable on one machine.
    public var threads: Int
    /// In-plane resampling factor of the training grid (1: native); validation metrics are on
    /// the native grid.
    public var resample: Int

    public init(preset: UNetConfiguration.Preset = .tiny, depth: Int = 4, patch: [Int] = [64, 64, 64], batchSize: Int = 2, epochs: Int = 50,
                patchesPerVolume: Int = 4, learningRate: Double = 1e-4, minimumLearningRate: Double = 0, warmupSteps: Int = 0,
                weightDecay: Double = 1e-2, maxGradientNorm: Double = 1, negativePenaltyWeight: Double = 0.1, ptvUnderdoseWeight: Double = 0,
                ptvUnderdoseTargets: Loss.PTVTargets = .ptv70, maxShift: Int = 4, highDoseCentreThreshold: Double = defaultHighDoseCentreThreshold, validateEvery: Int = 1,
                validationOverlap: Double = 0.5, selectionMetric: SelectionMetric = .ptv70MAE, patience: Int? = 10, seed: UInt64 = 0,
                threads: Int = 1, resample: Int = 1) {
        (self.preset, self.depth, self.patch, self.batchSize, self.epochs) = (preset, depth, patch, batchSize, epochs)
        (self.patchesPerVolume, self.learningRate, self.minimumLearningRate, self.weightDecay) = (patchesPerVolume, learningRate, minimumLearningRate, weightDecay)
        (self.warmupSteps, self.ptvUnderdoseTargets) = (warmupSteps, ptvUnderdoseTargets)
        let defaults = AdamW.Settings()
        (adamBetas, adamEpsilon) = ([defaults.beta1, defaults.beta2], defaults.epsilon)
        (self.maxGradientNorm, self.negativePenaltyWeight, self.ptvUnderdoseWeight, self.maxShift) = (maxGradientNorm, negativePenaltyWeight, ptvUnderdoseWeight, maxShift)
        (flipProbability, highDoseCentreFraction, self.highDoseCentreThreshold) = (0.5, 0.5, highDoseCentreThreshold)
        (self.validateEvery, self.validationOverlap, self.selectionMetric) = (validateEvery, validationOverlap, selectionMetric)
        (self.patience, self.seed, self.threads, self.resample) = (patience, seed, threads, resample)
    }

    /// The settings `dosecurate train` starts from, chosen by the time-to-quality benchmark
    /// (docs/engine.md): the defaults above plus warm-up, the underdose term over every target,
    /// patch centres on the targets and eight patches a case per epoch. The command sets `threads`
    /// to the cores.
    public static let recipe = TrainingConfiguration(patchesPerVolume: 8, warmupSteps: 100, ptvUnderdoseWeight: 0.5, ptvUnderdoseTargets: .all,
                                                     highDoseCentreThreshold: 0.5)

    /// Refuses settings the trainer cannot honour, naming the first one.
    public func validated() throws -> TrainingConfiguration {
        func refuse(_ name: String, _ expected: String, _ found: Any) -> EngineError {
            EngineError.invalidSetting(name: name, expected: expected, found: "\(found)")
        }
        let multiple = 1 << depth
        guard (1...6).contains(depth) else { throw refuse("depth", "1 to 6", depth) }
        guard patch.count == 3, patch.allSatisfy({ $0 > 0 && $0 % multiple == 0 }) else {
            throw refuse("patch", "three extents, each a positive multiple of 2^depth = \(multiple)", patch)
        }
        guard batchSize >= 1 else { throw refuse("batch size", "≥ 1", batchSize) }
        guard epochs >= 1 else { throw refuse("epochs", "≥ 1", epochs) }
        guard patchesPerVolume >= 1 else { throw refuse("patches per volume", "≥ 1", patchesPerVolume) }
        guard learningRate > 0, minimumLearningRate >= 0, minimumLearningRate <= learningRate else {
            throw refuse("learning rate", "lr > 0 and 0 ≤ minimum ≤ lr", "\(learningRate), minimum \(minimumLearningRate)")
        }
        guard warmupSteps >= 0 else { throw refuse("warm-up steps", "≥ 0", warmupSteps) }
        guard ptvUnderdoseWeight >= 0 else { throw refuse("PTV underdose weight", "≥ 0", ptvUnderdoseWeight) }
        guard highDoseCentreThreshold >= 0, highDoseCentreThreshold < 1.5 else { throw refuse("high-dose centre threshold", "a normalised dose in [0, 1.5)", highDoseCentreThreshold) }
        guard weightDecay >= 0 else { throw refuse("weight decay", "≥ 0", weightDecay) }
        guard adamBetas.count == 2, adamEpsilon > 0 else { throw refuse("AdamW betas and eps", "two betas and eps > 0", "\(adamBetas), \(adamEpsilon)") }
        guard maxGradientNorm > 0, negativePenaltyWeight >= 0, maxShift >= 0 else {
            throw refuse("loss and clipping", "clip > 0, penalty weight ≥ 0, shift ≥ 0", "\(maxGradientNorm), \(negativePenaltyWeight), \(maxShift)")
        }
        guard validateEvery >= 1 else { throw refuse("validate every", "≥ 1 epoch", validateEvery) }
        guard validationOverlap > 0, validationOverlap < 1 else { throw refuse("validation overlap", "between 0 and 1", validationOverlap) }
        guard patience.map({ $0 >= 1 }) ?? true else { throw refuse("patience", "≥ 1 validation", patience ?? 0) }
        guard threads >= 1 else { throw refuse("threads", "≥ 1", threads) }
        guard resample >= 1 else { throw refuse("resample", "a factor ≥ 1", resample) }
        return self
    }

    /// The sliding window validation uses: the training patch, neighbours sharing `validationOverlap`.
    public var validationWindow: SlidingWindow {
        get throws { try SlidingWindow(patch: patch, overlap: validationOverlap) }
    }

    // Run records written before issue 31 lack the recipe's newer settings; they read as the
    // values those runs used (no warm-up, no PTV term, centres above 10 % of Rx, and a PTV term,
    // where there was one, over PTV70 only).
    private enum CodingKeys: String, CodingKey {
        case preset, depth, patch, batchSize, epochs, patchesPerVolume, learningRate, minimumLearningRate, warmupSteps, weightDecay, adamBetas,
             adamEpsilon, maxGradientNorm, negativePenaltyWeight, ptvUnderdoseWeight, ptvUnderdoseTargets, maxShift, flipProbability, highDoseCentreFraction,
             highDoseCentreThreshold, validateEvery, validationOverlap, selectionMetric, patience, seed, threads, resample
    }

    public init(from decoder: Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        (preset, depth, patch) = (try values.decode(UNetConfiguration.Preset.self, forKey: .preset), try values.decode(Int.self, forKey: .depth),
                                  try values.decode([Int].self, forKey: .patch))
        (batchSize, epochs, patchesPerVolume) = (try values.decode(Int.self, forKey: .batchSize), try values.decode(Int.self, forKey: .epochs),
                                                 try values.decode(Int.self, forKey: .patchesPerVolume))
        (learningRate, minimumLearningRate) = (try values.decode(Double.self, forKey: .learningRate), try values.decode(Double.self, forKey: .minimumLearningRate))
        warmupSteps = try values.decodeIfPresent(Int.self, forKey: .warmupSteps) ?? 0
        (weightDecay, adamBetas, adamEpsilon) = (try values.decode(Double.self, forKey: .weightDecay), try values.decode([Double].self, forKey: .adamBetas),
                                                 try values.decode(Double.self, forKey: .adamEpsilon))
        (maxGradientNorm, negativePenaltyWeight) = (try values.decode(Double.self, forKey: .maxGradientNorm), try values.decode(Double.self, forKey: .negativePenaltyWeight))
        ptvUnderdoseWeight = try values.decodeIfPresent(Double.self, forKey: .ptvUnderdoseWeight) ?? 0
        ptvUnderdoseTargets = try values.decodeIfPresent(Loss.PTVTargets.self, forKey: .ptvUnderdoseTargets) ?? .ptv70
        (maxShift, flipProbability) = (try values.decode(Int.self, forKey: .maxShift), try values.decode(Double.self, forKey: .flipProbability))
        highDoseCentreFraction = try values.decode(Double.self, forKey: .highDoseCentreFraction)
        highDoseCentreThreshold = try values.decodeIfPresent(Double.self, forKey: .highDoseCentreThreshold) ?? Self.defaultHighDoseCentreThreshold
        (validateEvery, validationOverlap) = (try values.decode(Int.self, forKey: .validateEvery), try values.decode(Double.self, forKey: .validationOverlap))
        (selectionMetric, patience) = (try values.decode(SelectionMetric.self, forKey: .selectionMetric), try values.decodeIfPresent(Int.self, forKey: .patience))
        (seed, threads, resample) = (try values.decode(UInt64.self, forKey: .seed), try values.decode(Int.self, forKey: .threads),
                                     try values.decode(Int.self, forKey: .resample))
    }
}

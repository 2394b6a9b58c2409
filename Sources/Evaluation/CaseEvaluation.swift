import Support
import DoseCase
import Dosimetry
import NumpyFormat

/// One case's evaluation: dose errors, gamma (global and PTV region from one map), DVH points,
/// the femurs side by side. The JSON keys are the evaluation record's contract.
public struct CaseEvaluation: Sendable, Equatable, Codable {
    public struct Gamma: Sendable, Equatable, Codable {
        public let global: GammaStatistics
        /// Nil (written as null) when the case has no PTV.
        public let ptvRegion: GammaStatistics?
        public let ptvRegionVoxels: Int?

        private enum CodingKeys: String, CodingKey { case global, ptvRegion, ptvRegionVoxels }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(global, forKey: .global)
            try container.encode(ptvRegion, forKey: .ptvRegion)
            try container.encode(ptvRegionVoxels, forKey: .ptvRegionVoxels)
        }
    }

    public struct StructureSummary: Sendable, Equatable, Codable {
        public let voxels: Int
        public let volumeCC: Double
        /// Fewer than 100 voxels: its DVH points are unreliable (spec).
        public let unreliable: Bool
        public let maeGy: Double?
    }

    /// Femur_L and Femur_R side by side (the earlier study's unexplained asymmetry).
    public struct FemurAsymmetry: Sendable, Equatable, Codable {
        public struct Side: Sendable, Equatable, Codable {
            public let maeGy: Double
            public let referenceMeanGy: Double
            public let predictionMeanGy: Double
        }

        public let left: Side
        public let right: Side
        /// Left − right.
        public let maeDifferenceGy: Double
        /// (prediction − reference mean dose) left minus the same right.
        public let meanErrorDifferenceGy: Double
    }

    /// The acceptance protocol applied to the prediction and to the reference alike, so a reader
    /// sees when the ground truth itself fails it.
    public struct Acceptance: Sendable, Equatable, Codable {
        public let prediction: AcceptanceResult
        public let reference: AcceptanceResult
    }

    public struct OpenKBP: Sendable, Equatable, Codable {
        public let doseScoreGy: Double?
        public let dvhScoreGy: Double?
        public let points: [String: [String: DoseComparison.Point]]
    }

    public let caseId: String
    /// The reference case's identity hash and the prediction's `dose` array hash: what was compared.
    public let caseHash: String
    public let predictionDoseSHA256: String
    /// Mean |pred − ref| over every voxel (the historic `mae_gy`).
    public let maeGy: Double?
    public let mae: DoseErrors
    public let gamma: Gamma
    public let dvh: [String: [String: DoseComparison.Point]]
    public let structures: [String: StructureSummary]
    public let femurAsymmetry: FemurAsymmetry?
    public let acceptance: Acceptance
    public let openKBP: OpenKBP?
    /// What a reader should know about the numbers (e.g. a normalisation other than 70 Gy).
    public let warnings: [String]

    /// The same evaluation naming the reference's case hash (computed alongside the evaluation).
    public func identified(by caseHash: String) -> CaseEvaluation {
        CaseEvaluation(caseId: caseId, caseHash: caseHash, predictionDoseSHA256: predictionDoseSHA256, maeGy: maeGy, mae: mae, gamma: gamma,
                       dvh: dvh, structures: structures, femurAsymmetry: femurAsymmetry, acceptance: acceptance, openKBP: openKBP,
                       warnings: warnings)
    }

    /// PTV70 D95 error (Gy), the number users judge by first.
    public var ptv70D95ErrorGy: Double? { dvh[StructureChannel.ptv70]?[DVHMetric.d95.rawValue]?.error }
}

/// Evaluates one prediction file against one reference case.
public enum CaseEvaluator {
    /// Reading and the DVH work run beside the gamma search (which keeps `workers` threads busy),
    /// so the cores are not left idle while one file inflates or one structure sorts.
    public static func evaluate(reference: DoseCase, caseHash: String, prediction path: String, settings: EvaluationSettings,
                                gammaStatistics: EvaluationRecord.GammaStatistics = .full, workers: Int = 2) async throws -> CaseEvaluation {
        try await evaluateKeepingMap(reference: reference, caseHash: caseHash, prediction: path, settings: settings,
                                     gammaStatistics: gammaStatistics, workers: workers).evaluation
    }

    /// The evaluation and the gamma map its statistics came from (`evaluate --save-gamma` writes it
    /// out before the next case, so a cohort never holds more than one map).
    public static func evaluateKeepingMap(reference: DoseCase, caseHash: String, prediction path: String, settings: EvaluationSettings,
                                          gammaStatistics: EvaluationRecord.GammaStatistics = .full,
                                          workers: Int = 2) async throws -> (evaluation: CaseEvaluation, gammaMap: GammaMap) {
        guard let shape = reference.shape else {
            throw EvaluationError.referenceUnreadable(file: reference.file, reason: "no 'ct' or 'dose' array gives its grid")
        }
        let scale = Float(settings.doseScaleGy)
        async let readReference = inGy(reference.volume("dose"), scale: scale)
        async let readMasks = reference.masks()
        async let readPrediction = readPrediction(path, expected: shape)
        let referenceGy = try await readReference
        let (predictionArray, predictionHash) = try await readPrediction
        let predictionInGy = settings.predictionDoseUnit == .gy
        if !predictionInGy, let maximum = predictionArray.elements.max(), maximum > PredictionDoseUnit.normalisedCeiling {
            throw EvaluationError.predictionLooksLikeGy(prediction: path, maximum: Double(maximum))
        }
        let predictionGy = try inGy(predictionArray, scale: predictionInGy ? 1 : scale)
        let masks = try await readMasks
        let spacing = reference.spacing.millimetres

        async let comparing = DoseComparison(referenceGy: referenceGy, predictionGy: predictionGy, masks: masks,
                                             voxelVolumeCC: reference.spacing.voxelVolumeCC)
        async let growingRegion = settings.region.margin.mask(masks: masks, spacingMM: spacing)
        let map = try GammaIndex.compute(reference: referenceGy, evaluation: predictionGy, spacingMM: spacing,
                                         criteria: settings.gamma.criteria, subsample: settings.gamma.subsample, workers: workers,
                                         passRateOnly: gammaStatistics == .passRate)
        let region = try await growingRegion
        async let regionStatistics = region.map { map.statistics(inside: $0) }
        let gamma = CaseEvaluation.Gamma(global: map.statistics(), ptvRegion: await regionStatistics,
                                         ptvRegionVoxels: region.map { $0.elements.count { $0 != 0 } })
        let comparison = await comparing

        var warnings: [String] = []
        if !reference.prescription.isNormalisedTo70Gy {
            warnings.append("normalization_dose_gy is \(reference.prescription.normalizationDoseGy.map { "\($0)" } ?? "missing"), "
                            + "not 70: doses are read as stored × 70 Gy like every consumer, so they may be wrong")
        }
        if reference.spacing.isGuessed { warnings.append("no voxel spacing in the metadata: gamma and volumes use the fallback (1, 1, 2) mm") }

        let evaluation = CaseEvaluation(
            caseId: reference.caseId, caseHash: caseHash, predictionDoseSHA256: predictionHash, maeGy: comparison.mae.overallGy,
            mae: comparison.mae, gamma: gamma, dvh: dvhPoints(comparison), structures: summaries(comparison),
            femurAsymmetry: femurAsymmetry(comparison), acceptance: acceptance(comparison, protocol: settings.acceptanceProtocol.definition),
            openKBP: settings.openKBP ? openKBP(comparison) : nil, warnings: warnings)
        return (evaluation, map)
    }

    /// The prediction's `dose` (normalised like the case) and the hash of its canonical bytes.
    static func readPrediction(_ path: String, expected shape: VolumeShape) throws -> (Volume<Float>, String) {
        let array: NPYArray
        do {
            let archive = try NPZArchive(path: path)
            guard archive.keys.contains("dose") else { throw EvaluationError.missingDose(prediction: path, available: archive.keys) }
            array = try archive.read("dose")
        } catch let error as EvaluationError {
            throw error
        } catch {
            throw EvaluationError.unreadablePrediction(prediction: path, reason: .cause(error))
        }
        guard array.shape == shape.dimensions else {
            throw EvaluationError.gridMismatch(prediction: path, expected: shape.description, found: array.shape.map(String.init).joined(separator: "×"))
        }
        do {
            let elements = try array.elements(as: Float.self, casting: .sameKind)
            return (try Volume(shape: shape, elements: elements), SHA256Hex.of(array.canonicalBytes()))
        } catch {
            throw EvaluationError.unreadablePrediction(prediction: path, reason: .cause(error, "'dose' is not a float array"))
        }
    }

    /// Stored × 70 in float32, as the pipeline's NumPy code computes Gy.
    static func inGy(_ stored: Volume<Float>, scale: Float) throws -> Volume<Float> {
        try Volume(shape: stored.shape, elements: stored.elements.map { $0 * scale })
    }

    private static func dvhPoints(_ comparison: DoseComparison) -> [String: [String: DoseComparison.Point]] {
        var points: [String: [String: DoseComparison.Point]] = [:]
        for structure in comparison.structures where !structure.metrics.isEmpty {
            points[structure.name] = Dictionary(uniqueKeysWithValues: structure.metrics.map { ($0.key.rawValue, $0.value) })
        }
        return points
    }

    private static func summaries(_ comparison: DoseComparison) -> [String: CaseEvaluation.StructureSummary] {
        Dictionary(comparison.structures.map {
            ($0.name, CaseEvaluation.StructureSummary(voxels: $0.voxels, volumeCC: $0.volumeCC, unreliable: $0.isUnreliable, maeGy: $0.maeGy))
        }, uniquingKeysWith: { first, _ in first })
    }

    private static func femurAsymmetry(_ comparison: DoseComparison) -> CaseEvaluation.FemurAsymmetry? {
        func side(_ name: String) -> CaseEvaluation.FemurAsymmetry.Side? {
            guard let structure = comparison.structure(name), let mae = structure.maeGy, let mean = structure.metrics[.meanDose] else { return nil }
            return .init(maeGy: mae, referenceMeanGy: mean.reference, predictionMeanGy: mean.prediction)
        }
        guard let left = side(StructureChannel.femurLeft), let right = side(StructureChannel.femurRight) else { return nil }
        return .init(left: left, right: right, maeDifferenceGy: left.maeGy - right.maeGy,
                     meanErrorDifferenceGy: (left.predictionMeanGy - left.referenceMeanGy) - (right.predictionMeanGy - right.referenceMeanGy))
    }

    private static func acceptance(_ comparison: DoseComparison, protocol definition: AcceptanceProtocol) -> CaseEvaluation.Acceptance {
        .init(prediction: definition.check { comparison.structure($0)?.metrics[$1]?.prediction },
              reference: definition.check { comparison.structure($0)?.metrics[$1]?.reference })
    }

    private static func openKBP(_ comparison: DoseComparison) -> CaseEvaluation.OpenKBP {
        let scores = OpenKBPScores(comparison: comparison)
        var points: [String: [String: DoseComparison.Point]] = [:]
        for structure in comparison.structures where !structure.openKBP.isEmpty { points[structure.name] = structure.openKBP }
        return .init(doseScoreGy: scores.doseScoreGy, dvhScoreGy: scores.dvhScoreGy, points: points)
    }
}

import Evaluation

/// Everything an evaluation report shows, gathered by the report workflow: the record, the run
/// behind it, and the pictures that need the case arrays (read only for the cases drawn).
public struct EvaluationReportInput: Sendable {
    public let record: EvaluationRecord
    /// How the workspace names the record (`evaluations/<hash>.json`).
    public let recordName: String
    /// The run the evaluation names, when the workspace holds it.
    public let run: RunSummary?
    /// The case drawn in full by the stated rule (median MAE); nil when no case has an MAE.
    public let representativeCaseId: String?
    /// The representative case, or every case with `--all-cases`.
    public let cases: [CasePictures]
    /// Gamma-map slices per case (saved maps only), sorted by case id.
    public let gammaSlices: [(caseId: String, figure: ImageFigure)]
    /// What the reader should know about what is not shown (no saved gamma maps, a case file moved).
    public let notes: [String]

    public init(record: EvaluationRecord, recordName: String, run: RunSummary?, representativeCaseId: String?, cases: [CasePictures],
                gammaSlices: [(caseId: String, figure: ImageFigure)], notes: [String]) {
        (self.record, self.recordName, self.run, self.representativeCaseId) = (record, recordName, run, representativeCaseId)
        (self.cases, self.gammaSlices, self.notes) = (cases, gammaSlices, notes)
    }

    /// The case with the median MAE (the lower of the two middle ones for an even count, ties by
    /// case id): a case typical of the evaluation, not its best or worst.
    public static func representativeCase(of record: EvaluationRecord) -> String? {
        let ordered = record.identity.cases.compactMap { evaluation in evaluation.maeGy.map { (evaluation.caseId, $0) } }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        return ordered.isEmpty ? nil : ordered[(ordered.count - 1) / 2].0
    }
}

/// One drawn case: its DVH curves and slice figures.
public struct CasePictures: Sendable {
    public let caseId: String
    public let dvh: [DVHCurves]
    public let colourwash: ImageFigure
    public let difference: ImageFigure

    public init(caseId: String, dvh: [DVHCurves], colourwash: ImageFigure, difference: ImageFigure) {
        (self.caseId, self.dvh, self.colourwash, self.difference) = (caseId, dvh, colourwash, difference)
    }
}

/// One structure's cumulative DVH under both doses, as (dose Gy, volume %) points.
public struct DVHCurves: Sendable {
    public let structure: String
    public let reference: [(doseGy: Double, volumePercent: Double)]
    public let prediction: [(doseGy: Double, volumePercent: Double)]

    public init(structure: String, reference: [(doseGy: Double, volumePercent: Double)], prediction: [(doseGy: Double, volumePercent: Double)]) {
        (self.structure, self.reference, self.prediction) = (structure, reference, prediction)
    }
}

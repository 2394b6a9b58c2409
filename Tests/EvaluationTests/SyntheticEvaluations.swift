import Dosimetry
@testable import Evaluation
import Lineage

/// Case evaluations and records built from chosen numbers, for tests of what is computed from them.
enum SyntheticEvaluations {
    /// `rectumV70` is both doses' Rectum V70 (%), every other metric meets its limit: the current
    /// table's Rectum V70 ≤ 15 % decides whether the case passes. PTV56 and PTV50.4 are absent.
    static func evaluation(_ caseId: String, mae: Double, passRate: Double, d95Error: Double, rectumV70: Double = 10,
                           caseHash: String = String(repeating: "a", count: 64)) throws -> CaseEvaluation {
        let statistics = GammaStatistics(gammas: (0..<100).map { Float($0 < Int(passRate) ? 0.5 : 1.5) })
        let table = try AcceptanceProtocol.builtIn(named: "current")
        let result = table.check { structure, metric in
            guard structure != "PTV56", structure != "PTV50.4" else { return nil }
            if structure == "Rectum" && metric == .v70 { return rectumV70 }
            return metric == .v100 ? 99 : 1
        }
        return CaseEvaluation(
            caseId: caseId, caseHash: caseHash, predictionDoseSHA256: String(repeating: "b", count: 64), maeGy: mae,
            mae: DoseErrors(referenceGy: [1, 2], predictionGy: [1, 2 + Float(mae)]),
            gamma: .init(global: statistics, ptvRegion: nil, ptvRegionVoxels: nil),
            dvh: ["PTV70": ["D95": .init(reference: 68, prediction: 68 + d95Error)]], structures: [:], femurAsymmetry: nil,
            acceptance: .init(prediction: result, reference: result), openKBP: nil, warnings: [])
    }

    static func record(_ cases: [CaseEvaluation], settings: EvaluationSettings? = nil, missingPredictions: [String] = [],
                       createdAt: String = "2026-11-27T00:00:00Z", files: [EvaluationRecord.Context.CaseFiles] = []) throws -> EvaluationRecord {
        try EvaluationRecord(identity: .init(settings: settings ?? EvaluationSettings(subsample: 2), cases: cases, missingPredictions: missingPredictions),
                             context: .init(createdAt: createdAt, tool: .current, datasetRevision: nil, files: files, seconds: 1))
    }
}

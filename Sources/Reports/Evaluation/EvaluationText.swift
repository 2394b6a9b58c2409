import DoseCase
import Dosimetry
import Evaluation
import Foundation

/// `evaluate` on a terminal: settings, one row per case, the aggregate, and what is missing.
public enum EvaluationText {
    /// `run r1, weights 3fa2c1…` / `unknown model (predictions from another tool)`.
    public static func describe(_ model: EvaluationModel) -> String {
        switch (model.run, model.weightsSHA256) {
        case (nil, nil): "unknown (the predictions name no weights)"
        case let (run?, nil): "run \(run), weights unknown"
        case let (run, weights?): (run.map { "run \($0), " } ?? "no run of this workspace, ") + "weights sha256 \(weights.prefix(12))…"
        }
    }

    /// One evaluation of a comparison: its hash, label and model.
    static func describe(_ reference: EvaluationComparison.RecordReference, label: String?) -> String {
        var text = String(reference.hash.prefix(8))
        if let label { text += " \"\(label)\"" }
        if let run = reference.model?.run { text += " run \(run)" }
        return text
    }

    public static func render(_ record: EvaluationRecord, plan: EvaluationPlan, recordFile: String?, alreadyRecorded: Bool,
                              gammaMaps: GammaMapFile.Outcome? = nil) -> String {
        let identity = record.identity
        var lines = settingsLines(record)
        lines.append("")
        let (header, rows) = caseTable(record)
        lines += TextTable.lines(header: header, rows: rows, rightAligned: 1)
        lines.append("")
        lines += aggregateLines(identity.aggregate)
        for evaluation in identity.cases {
            for (side, result) in [("prediction", evaluation.acceptance.prediction), ("reference", evaluation.acceptance.reference)]
            where !result.violations.isEmpty {
                let violations = result.violations.map { "\($0.constraint) (\(format($0.value, 2)) \($0.unit))" }
                lines.append("  \(evaluation.caseId) \(side) fails \(violations.joined(separator: "; "))")
            }
        }
        for evaluation in identity.cases {
            for warning in evaluation.warnings { lines.append("warning: \(evaluation.caseId): \(warning)") }
            let unreliable = evaluation.structures.filter { $0.value.unreliable && $0.value.voxels > 0 }.keys.sorted()
            if !unreliable.isEmpty {
                lines.append("note: \(evaluation.caseId): fewer than \(DoseComparison.reliableVoxels) voxels, DVH unreliable: \(unreliable.joined(separator: ", "))")
            }
        }
        lines += planLines(plan, record)
        lines += recordLine(recordFile, alreadyRecorded: alreadyRecorded)
        switch gammaMaps {
        case nil: break
        case let .written(folder, count): lines.append("gamma maps: \(folder)/ (\(count) file\(count == 1 ? "" : "s"))")
        case let .restored(caseIds, listed):
            lines.append("gamma maps: the record lists \(listed); "
                         + (caseIds.isEmpty ? "none put back" : "put back \(caseIds.count) that were missing (\(caseIds.joined(separator: ", ")))")
                         + "; `dosecurate verify` checks them")
        case .notKept:
            lines.append("gamma maps: not kept — the identical record was written without them, and a record is never edited")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The gamma settings, protocol, pin and model, one line each.
    static func settingsLines(_ record: EvaluationRecord) -> [String] {
        let identity = record.identity, settings = identity.settings
        var lines: [String] = []
        let gamma = settings.gamma
        let resolution = gamma.subsample == 1 ? "full resolution" : "subsample \(gamma.subsample) (x[::\(gamma.subsample)] per axis, the old decimated numbers)"
        let statistics = identity.gammaStatistics == .passRate ? ", pass rate only (no γ mean, median or max)" : ""
        lines.append("gamma \(gamma.criteria.summary), \(resolution)\(statistics); PTV region: \(settings.region.margin.rawValue) \(GammaCriteria.format(settings.region.marginMM)) mm margin")
        let table = settings.acceptanceProtocol
        lines.append("acceptance protocol \(table.definition.name) (\(table.definition.constraints.count) constraints, \(table.hash.prefix(12))…), "
                     + "applied to prediction and reference")
        if let version = settings.datasetVersion, let split = settings.split {
            lines.append("pinned to \(version), split \(split.name)@\(split.revision) (\(split.hash.prefix(12))…), role \(split.role)")
        }
        if let model = identity.model { lines.append("model: " + describe(model) + (record.context.label.map { " — \"\($0)\"" } ?? "")) }
        return lines
    }

    /// The across-case means ± SD and the acceptance counts.
    /// What the matching left out or set aside: missing predictions or references, ignored and
    /// unrecognised files.
    static func planLines(_ plan: EvaluationPlan, _ record: EvaluationRecord) -> [String] {
        var lines: [String] = []
        if !plan.missingPredictions.isEmpty { lines.append("missing predictions: \(plan.missingPredictions.joined(separator: ", "))") }
        if !plan.missingReferences.isEmpty { lines.append("predictions without a reference file: \(plan.missingReferences.joined(separator: ", "))") }
        if !plan.ignoredPredictions.isEmpty {
            let role = record.identity.settings.split?.role ?? "this role"
            lines.append("ignored \(plan.ignoredPredictions.count) prediction\(plan.ignoredPredictions.count == 1 ? "" : "s") for cases the split does not assign to \(role) (--strict refuses them)")
        }
        if !plan.unrecognisedFiles.isEmpty {
            lines.append("not read (not named <caseId>_pred.npz): \(plan.unrecognisedFiles.joined(separator: ", "))")
        }
        if !plan.unmatchedPredictions.isEmpty {
            lines.append("warning: predictions matching no reference case: \(plan.unmatchedPredictions.joined(separator: ", "))")
        }
        return lines
    }

    /// The evaluation's result (all `--quiet` prints): what the matching left out, the aggregate
    /// line and where the record went.
    public static func resultLines(_ record: EvaluationRecord, plan: EvaluationPlan, recordFile: String?, alreadyRecorded: Bool) -> String {
        (planLines(plan, record) + aggregateLines(record.identity.aggregate).prefix(1) + recordLine(recordFile, alreadyRecorded: alreadyRecorded))
            .joined(separator: "\n") + "\n"
    }

    static func recordLine(_ recordFile: String?, alreadyRecorded: Bool) -> [String] {
        guard let recordFile else { return [] }
        return [alreadyRecorded ? "record: \(recordFile) (already recorded; nothing written)" : "record: \(recordFile)"]
    }

    static func aggregateLines(_ aggregate: EvaluationAggregate) -> [String] {
        ["\(aggregate.cases) case\(aggregate.cases == 1 ? "" : "s"): MAE \(summary(aggregate.maeGy, 2)) Gy; "
            + "γ pass \(summary(aggregate.gammaGlobalPassRate, 1)) % global, \(summary(aggregate.gammaPTVRegionPassRate, 1)) % PTV region; "
            + "PTV70 D95 error \(summary(aggregate.ptv70D95ErrorGy, 2)) Gy",
         "acceptance: predictions pass \(aggregate.predictionsPassed)/\(aggregate.cases) (compliance \(summary(aggregate.predictionCompliancePercent, 1)) %), "
            + "references pass \(aggregate.referencesPassed)/\(aggregate.cases) (\(summary(aggregate.referenceCompliancePercent, 1)) %)"]
    }

    /// One row per case: the numbers users look at first.
    static func caseTable(_ record: EvaluationRecord) -> (header: [String], rows: [[String]]) {
        let header = ["case", "MAE Gy", "body MAE", "γ global %", "γ PTV %", "γ mean", "PTV70 D95 ref", "pred", "error Gy", "femur L−R MAE",
                      "accept pred %", "ref %"]
        let rows = record.identity.cases.map { evaluation -> [String] in
            let d95 = evaluation.dvh[StructureChannel.ptv70]?[DVHMetric.d95.rawValue]
            return [
                evaluation.caseId, format(evaluation.maeGy, 2), format(evaluation.mae.bodyGy, 2),
                format(evaluation.gamma.global.passRate, 1), format(evaluation.gamma.ptvRegion?.passRate, 1),
                format(evaluation.gamma.global.mean, 2), format(d95?.reference, 2), format(d95?.prediction, 2), format(d95?.error, 2, signed: true),
                format(evaluation.femurAsymmetry?.maeDifferenceGy, 2, signed: true),
                format(evaluation.acceptance.prediction.compliancePercent, 1), format(evaluation.acceptance.reference.compliancePercent, 1),
            ]
        }
        return (header, rows)
    }

    static func format(_ value: Double?, _ digits: Int, signed: Bool = false) -> String {
        guard let value else { return "–" }
        let text = String(format: "%.\(digits)f", value)
        return signed && value >= 0 ? "+" + text : text
    }

    static func summary(_ summary: EvaluationAggregate.Summary, _ digits: Int) -> String {
        guard let mean = summary.mean else { return "–" }
        return format(mean, digits) + (summary.std.map { " ± " + format($0, digits) } ?? "")
    }
}

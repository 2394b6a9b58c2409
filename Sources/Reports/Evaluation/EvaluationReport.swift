import Dosimetry
import Evaluation
import Foundation
import Lineage

/// The evaluation report: lineage and the commands that reproduce it, the summary table, then the
/// figures — training curves of the run (1), the representative case's colourwash (2), difference
/// (3) and DVH (4), gamma pass rates (5) and slices, per-case distributions (6), acceptance (7),
/// femur asymmetry (8) — and every case's pictures with `--all-cases`.
public enum EvaluationReport {
    public static func page(_ input: EvaluationReportInput) throws -> ReportPage {
        let record = input.record, identity = record.identity, settings = identity.settings
        var sections: [ReportSection] = []

        var summary: [ReportSection.Item] = EvaluationText.settingsLines(record).map { .paragraph($0) }
        summary += EvaluationText.aggregateLines(identity.aggregate).map { .paragraph($0) }
        let (header, rows) = EvaluationText.caseTable(record)
        summary.append(.table(ReportTable(caption: "Per case", header: header, rows: rows)))
        if !identity.missingPredictions.isEmpty {
            summary.append(.paragraph("Missing predictions (not evaluated): \(identity.missingPredictions.joined(separator: ", "))."))
        }
        sections.append(ReportSection(title: "Summary", items: summary))

        if let run = input.run, let metrics = run.metrics, let curves = TrainingCurves.figure(metrics, runId: run.id) {
            sections.append(ReportSection(title: "Training", items: [.figure(curves)]))
        }

        if let representative = input.representativeCaseId, let pictures = input.cases.first(where: { $0.caseId == representative }) {
            sections.append(ReportSection(title: "Representative case: \(representative)", items: [
                .paragraph("The case with the median MAE (\(input.record.identity.cases.count) cases; the lower middle one for an even count): "
                           + "typical of this evaluation, neither its best nor its worst."),
            ] + caseItems(pictures)))
        }

        var gamma: [ReportSection.Item] = [.figure(EvaluationFigures.gammaPassRates(record))]
        for (caseId, figure) in input.gammaSlices {
            gamma.append(.figure(ReportFigure(name: "gamma-\(caseId)", title: "Gamma map of \(caseId)",
                                              caption: "Through the PTV70 centroid; γ ≤ 1 passes. \(settings.gamma.criteria.summary).",
                                              svg: figure.svg, png: figure.png)))
        }
        sections.append(ReportSection(title: "Gamma", items: gamma))
        sections.append(ReportSection(title: "Per-case distributions", items: [.figure(EvaluationFigures.distributions(record))]))
        sections.append(ReportSection(title: "Acceptance", items: [.figure(EvaluationFigures.acceptance(record))]))
        sections.append(ReportSection(title: "Femur asymmetry", items: [.figure(EvaluationFigures.femurAsymmetry(record))]))

        let others = input.cases.filter { $0.caseId != input.representativeCaseId }
        if !others.isEmpty {
            sections.append(ReportSection(title: "Every case", items: others.flatMap { pictures in
                [ReportSection.Item.paragraph(pictures.caseId)] + caseItems(pictures)
            }))
        }
        if !input.notes.isEmpty { sections.append(ReportSection(title: "Notes", items: input.notes.map { .paragraph($0) })) }
        sections.append(ReportSection(title: "Reproduce", items: [
            .paragraph("The commands that made this evaluation and this page (run in the workspace); verify checks that the data, "
                       + "the records and the kept gamma maps are still the bytes they hashed."),
            .commands(EvaluationCommands.reproduce(record, recordName: input.recordName)),
        ]))

        let title = "Evaluation \(record.hash.prefix(16))" + (record.context.label.map { " — \($0)" } ?? "")
        let subtitle = "\(identity.cases.count) case\(identity.cases.count == 1 ? "" : "s") · evaluated \(record.context.createdAt)"
            + " · protocol \(settings.acceptanceProtocol.definition.name)"
        return ReportPage(title: title, subtitle: subtitle, lineage: lineage(input), sections: sections)
    }

    private static func caseItems(_ pictures: CasePictures) -> [ReportSection.Item] {
        let caseId = pictures.caseId
        return [
            .figure(ReportFigure(name: "colourwash-\(caseId)", title: "Dose colourwash of \(caseId)",
                                 caption: "Prediction (top) above reference (bottom), axial, coronal and sagittal through the PTV70 centroid; "
                                     + "dose above 5 Gy over the CT, PTV70 outlined. Radiological view: the patient's left on the image's right.",
                                 svg: pictures.colourwash.svg, png: pictures.colourwash.png)),
            .figure(ReportFigure(name: "difference-\(caseId)", title: "Dose difference of \(caseId)",
                                 caption: "Prediction − reference in Gy (blue: prediction lower, red: higher), where either dose exceeds 5 Gy.",
                                 svg: pictures.difference.svg, png: pictures.difference.png)),
            .figure(EvaluationFigures.dvh(pictures)),
        ]
    }

    /// Where every number came from, read from the records.
    static func lineage(_ input: EvaluationReportInput) -> [(key: String, value: String)] {
        let record = input.record, settings = record.identity.settings
        var lines: [(key: String, value: String)] = [("Evaluation", "\(input.recordName) (sha256 \(record.hash))")]
        if let version = settings.datasetVersion {
            lines.append(("Dataset version", record.context.datasetRevision ?? version))
        } else {
            lines.append(("Dataset version", "none: reference files evaluated outside a dataset version"))
        }
        if let split = settings.split { lines.append(("Split", "\(split.name)@\(split.revision), role \(split.role) (sha256 \(split.hash.prefix(16))…)")) }
        if let model = record.identity.model {
            var run = model.run ?? "none named (predictions from another tool or an unknown run)"
            if let summary = input.run {
                run += (summary.pins.label.map { " \"\($0)\"" } ?? "") + " — \(summary.engineText); \(summary.statusText)"
            }
            lines.append(("Run", run))
            lines.append(("Weights", model.weightsSHA256.map { "sha256 \($0)" } ?? "unknown"))
        }
        if let label = record.context.label { lines.append(("Label", label)) }
        lines.append(("Protocol", "\(settings.acceptanceProtocol.definition.name) (sha256 \(settings.acceptanceProtocol.hash.prefix(16))…)"))
        lines.append(("Gamma", settings.gamma.criteria.summary + (settings.gamma.subsample == 1 ? "" : ", subsample \(settings.gamma.subsample)")
                      + (record.identity.gammaStatistics == .passRate ? ", pass rate only" : "")))
        lines.append(("Evaluated by", "\(record.context.tool.name) \(record.context.tool.version)"))
        lines.append(("Report by", "\(ToolBuild.current.name) \(ToolBuild.current.version)" + (ToolBuild.commit.map { ", commit \($0)" } ?? "")))
        return lines
    }
}

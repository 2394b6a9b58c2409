import DoseCase
import Dosimetry
import Evaluation

/// The evaluation report's figures from the record's numbers (5–8) and from a drawn case's curves
/// (4). Each carries its numbers as `data-` attributes (see the chart types), so a test or a reader
/// can check a figure against the record.
public enum EvaluationFigures {
    /// Figure 4: cumulative DVHs of one case, one colour per structure, reference solid and
    /// prediction dashed.
    public static func dvh(_ pictures: CasePictures) -> ReportFigure {
        var series: [LineChart.Series] = [], entries: [ChartLegend.Entry] = []
        for (index, curves) in pictures.dvh.enumerated() {
            let colour = ChartPalette.structureColour(curves.structure, index: index)
            series.append(.init(name: "\(curves.structure) reference", points: curves.reference.map { .init(x: $0.doseGy, y: $0.volumePercent) },
                                colour: colour))
            series.append(.init(name: "\(curves.structure) prediction", points: curves.prediction.map { .init(x: $0.doseGy, y: $0.volumePercent) },
                                colour: colour, dashed: true))
            entries.append(.init(curves.structure, colour: colour, symbol: .line(dashed: false)))
        }
        entries += [.init("reference", colour: ChartPalette.axis, symbol: .line(dashed: false)),
                    .init("prediction", colour: ChartPalette.axis, symbol: .line(dashed: true))]
        let chart = LineChart(title: "DVH — \(pictures.caseId)", xLabel: "Dose (Gy)", yLabel: "Volume (%)", series: series, yRange: 0...100,
                              legend: ChartLegend(entries), size: ChartSize(width: 760, height: 460))
        return ReportFigure(name: "dvh-\(pictures.caseId)", title: "DVH of \(pictures.caseId)",
                            caption: "Cumulative DVH: the percentage of each structure receiving at least a dose, from the case's masks and doses "
                                + "(reference solid, prediction dashed), sampled every 0.25 Gy.",
                            svg: chart.svg())
    }

    /// Figure 5: each case's gamma pass rate, global beside PTV region, with the 95 % line.
    public static func gammaPassRates(_ record: EvaluationRecord) -> ReportFigure {
        let cases = record.identity.cases
        let chart = BarChart(
            title: "Gamma pass rate per case (\(record.identity.settings.gamma.criteria.summary))", categories: cases.map(\.caseId),
            series: [.init(name: "global", values: cases.map(\.gamma.global.passRate), colour: ChartPalette.blue),
                     .init(name: "PTV region", values: cases.map { $0.gamma.ptvRegion?.passRate }, colour: ChartPalette.orange)],
            xLabel: "Case", yLabel: "Pass rate (%)", yRange: 0...100, referenceLines: [.init(value: 95, label: "95 %")],
            size: ChartSize(width: max(640, 120 + 36 * Double(cases.count)), height: 400))
        return ReportFigure(name: "gamma-pass-rates", title: "Gamma pass rate per case",
                            caption: "Percentage of evaluated voxels with γ ≤ 1, over the whole dose grid above the cutoff (global) and inside "
                                + "the PTV region (\(record.identity.settings.region.margin.rawValue) margin); the line marks 95 %.",
                            svg: chart.svg())
    }

    /// Figure 6: the per-case distributions of MAE, both gamma pass rates and the PTV70 D95 error,
    /// every case shown as a point.
    public static func distributions(_ record: EvaluationRecord) -> ReportFigure {
        let cases = record.identity.cases
        func box(_ title: String, _ unit: String, _ value: (CaseEvaluation) -> Double?, _ colour: String) -> BoxPlot {
            BoxPlot(title: title, yLabel: "\(title) (\(unit))",
                    groups: [.init(name: "\(cases.count) cases", points: cases.map { .init(label: $0.caseId, value: value($0)) }, colour: colour)])
        }
        let panels: [any ChartFigure] = [
            box("MAE", "Gy", \.maeGy, ChartPalette.blue),
            box("Global γ", "%", \.gamma.global.passRate, ChartPalette.bluishGreen),
            box("PTV-region γ", "%", { $0.gamma.ptvRegion?.passRate }, ChartPalette.orange),
            box("PTV70 D95 error", "Gy", \.ptv70D95ErrorGy, ChartPalette.vermillion),
        ]
        return ReportFigure(name: "per-case-distributions", title: "Per-case distributions",
                            caption: "Box plots (quartiles, whiskers to the furthest point within 1.5 IQR) with every case as a point: MAE, "
                                + "global and PTV-region gamma pass rate, PTV70 D95 error (prediction − reference).",
                            svg: ChartPanels(title: "Per-case metrics", panels: panels).svg())
    }

    /// Figure 7: cases × constraints of the record's protocol, applied to the predictions: pass or
    /// fail with the predicted value in each cell (the DVH point the check used).
    public static func acceptance(_ record: EvaluationRecord) -> ReportFigure {
        let protocolDefinition = record.identity.settings.acceptanceProtocol.definition
        let constraints = protocolDefinition.constraints
        let cases = record.identity.cases
        let cells = cases.map { evaluation in
            constraints.map { constraint -> HeatMap.Cell in
                guard let value = evaluation.dvh[constraint.structure]?[constraint.metric.rawValue]?.prediction else { return .notEvaluated }
                return HeatMap.Cell(state: constraint.comparison.holds(value, limit: constraint.limit) ? .pass : .fail, value: value)
            }
        }
        let chart = HeatMap(title: "Acceptance (\(protocolDefinition.name)) of the predictions", rows: cases.map(\.caseId),
                            columns: constraints.map { .init(name: $0.text, unit: $0.unit) }, cells: cells)
        return ReportFigure(name: "acceptance", title: "Acceptance per case and constraint",
                            caption: "Each prediction against each constraint of the \(protocolDefinition.name) protocol: pass, fail "
                                + "(bold, bordered) or not evaluated (the structure is absent), with the predicted value.",
                            svg: chart.svg())
    }

    /// Figure 8: Femur_L and Femur_R MAE per case, and left − right (the earlier study's
    /// unexplained asymmetry; swapped labels show as a consistent sign).
    public static func femurAsymmetry(_ record: EvaluationRecord) -> ReportFigure {
        let cases = record.identity.cases
        let width = max(480, 120 + 30 * Double(cases.count))
        let paired = BarChart(title: "Femur MAE", categories: cases.map(\.caseId),
                              series: [.init(name: "Femur_L", values: cases.map { $0.femurAsymmetry?.left.maeGy }, colour: ChartPalette.skyBlue),
                                       .init(name: "Femur_R", values: cases.map { $0.femurAsymmetry?.right.maeGy }, colour: ChartPalette.black)],
                              xLabel: "Case", yLabel: "MAE (Gy)", size: ChartSize(width: width, height: 380))
        let difference = BarChart(title: "Femur_L − Femur_R", categories: cases.map(\.caseId),
                                  series: [.init(name: "L − R", values: cases.map { $0.femurAsymmetry?.maeDifferenceGy }, colour: ChartPalette.vermillion,
                                                 negativeColour: ChartPalette.blue)],
                                  xLabel: "Case", yLabel: "MAE difference (Gy)", size: ChartSize(width: width, height: 380))
        return ReportFigure(name: "femur-asymmetry", title: "Femur left/right asymmetry",
                            caption: "Dose MAE inside Femur_L and Femur_R per case, and left − right. A difference of one sign across cases "
                                + "points at swapped labels or a flipped axis.",
                            svg: ChartPanels(title: "Femur L/R", panels: [paired, difference]).svg())
    }
}

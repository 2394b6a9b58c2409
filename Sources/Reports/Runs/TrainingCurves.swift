import Lineage

/// Figure 1: a run's training curves from its `metrics.csv` — training (and, when an engine logs
/// it, validation) loss per epoch beside the validation MAE with the best epoch marked.
public enum TrainingCurves {
    /// Nil when the metrics hold no epoch with a loss or a validation MAE.
    public static func figure(_ metrics: RunMetrics, runId: String) -> ReportFigure? {
        // The columns the engine (and dosecurate_torch.log_metrics) writes, each drawn when logged.
        func series(_ columns: [(column: String, name: String, colour: String)]) -> [LineChart.Series] {
            columns.compactMap { column, name, colour in
                let points = metrics.series(column)
                return points.isEmpty ? nil : LineChart.Series(name: name, points: points.map { LineChart.Point(x: $0.x, y: $0.y) }, colour: colour)
            }
        }
        let loss = series([("train_loss", "training loss", ChartPalette.blue), ("val_loss", "validation loss", ChartPalette.vermillion)])
        let validation = series([("val_mae_gy", "validation MAE", ChartPalette.blue), ("val_ptv70_mae_gy", "validation PTV70 MAE", ChartPalette.orange)])
        guard !loss.isEmpty || !validation.isEmpty else { return nil }
        var panels: [any ChartFigure] = []
        if !loss.isEmpty {
            panels.append(LineChart(title: "Loss", xLabel: "Epoch", yLabel: "Loss", series: loss, size: ChartSize(width: 520, height: 360)))
        }
        if !validation.isEmpty {
            var markers: [LineChart.Marker] = []
            if let best = metrics.bestEpoch, let value = validation[0].points.first(where: { $0.x == best })?.y {
                markers.append(LineChart.Marker(x: best, y: value, label: "best epoch \(MarkupNumber.format(best, decimals: 0))"))
            }
            panels.append(LineChart(title: "Validation MAE", xLabel: "Epoch", yLabel: "MAE (Gy)", series: validation, markers: markers,
                                    size: ChartSize(width: 520, height: 360)))
        }
        let logsValidationLoss = metrics.column("val_loss") != nil
        return ReportFigure(
            name: "training-curves", title: "Training curves of run \(runId)",
            caption: "Per epoch from the run's metrics.csv: " + (logsValidationLoss ? "training and validation loss" : "training loss")
                + (validation.isEmpty ? "." : "; validation MAE in Gy over the whole val volumes, the best epoch (the checkpoint kept) marked.")
                + (logsValidationLoss ? "" : " The engine does not log a validation loss; validation is scored by MAE."),
            svg: ChartPanels(title: "Training curves — \(runId)", panels: panels).svg())
    }
}

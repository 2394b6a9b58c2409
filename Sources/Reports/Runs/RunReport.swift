import Lineage
import Support

/// The run report: lineage (dataset version, split, engine, label), how it ended, its
/// configuration, and its training curves (figure 1).
public enum RunReport {
    public static func page(_ run: RunSummary) throws -> ReportPage {
        var sections: [ReportSection] = []
        var outcome: [ReportSection.Item] = [.paragraph("Status: \(run.statusText).")]
        if let best = run.bestText { outcome.append(.paragraph("Best validation epoch: \(best).")) }
        if let training = run.result?["training"] {
            let rows = ["epochsPlanned", "epochsCompleted", "stoppedEarly", "lastCheckpoint", "finalTrainLoss", "resumes"].compactMap { key in
                training[key].map { [key, text($0)] }
            }
            if !rows.isEmpty { outcome.append(.table(ReportTable(caption: "Training outcome", header: ["", "value"], rows: rows))) }
        }
        if let artifacts = run.result?["artifacts"]?.arrayValue, !artifacts.isEmpty {
            outcome.append(.table(ReportTable(caption: "Artifacts (verify re-hashes them)", header: ["file", "bytes", "sha256"], rows: artifacts.map {
                [$0["path"]?.stringValue ?? "?", $0["bytes"].map(text) ?? "?", String(($0["sha256"]?.stringValue ?? "?").prefix(16)) + "…"]
            })))
        }
        sections.append(ReportSection(title: "Result", items: outcome))
        if let metrics = run.metrics, let curves = TrainingCurves.figure(metrics, runId: run.id) {
            sections.append(ReportSection(title: "Training curves", items: [.figure(curves)]))
        } else {
            sections.append(ReportSection(title: "Training curves", items: [.paragraph("The run folder holds no metrics.csv with a loss or a validation MAE.")]))
        }
        if let config = run.identity["config"] {
            sections.append(ReportSection(title: "Configuration", items: [
                .table(ReportTable(header: ["setting", "value"], rows: flattened(config).map { [$0.key, $0.value] })),
            ]))
        }
        let title = "Run \(run.id)" + (run.pins.label.map { " — \($0)" } ?? "")
        let subtitle = "\(run.engineText) · started \(run.pins.createdAt ?? "at an unrecorded time")"
        var lineage: [(key: String, value: String)] = [
            ("Run", "\(RunFiles.record(run.id))"),
            ("Dataset version", run.pins.dataset),
            ("Split", "\(run.pins.split.reference) (sha256 \(run.pins.split.hash.prefix(16))…)"),
            ("Engine", run.engineText),
        ]
        if let label = run.pins.label { lineage.append(("Label", label)) }
        lineage.append(("Report by", "\(ToolBuild.current.name) \(ToolBuild.current.version)" + (ToolBuild.commit.map { ", commit \($0)" } ?? "")))
        sections.append(ReportSection(title: "Reproduce", items: [
            .paragraph("Check that the run's records and artifacts are intact, then redraw this page:"),
            .commands(["dosecurate verify", "dosecurate report \(RunFiles.directory(run.id))"]),
        ]))
        return ReportPage(title: title, subtitle: subtitle, lineage: lineage, sections: sections)
    }

    /// Nested settings as dotted keys, sorted: `optimiser.learningRate = 0.002`.
    static func flattened(_ value: JSONValue, prefix: String = "") -> [(key: String, value: String)] {
        if case let .object(members) = value {
            return members.keys.sorted().flatMap { key in
                flattened(members[key] ?? .null, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
            }
        }
        return [(prefix, text(value))]
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case let .string(string): string
        default: value.canonicalText
        }
    }
}

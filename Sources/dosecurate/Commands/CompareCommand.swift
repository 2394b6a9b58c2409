import ArgumentParser
import Dosimetry
import Evaluation
import Foundation
import Lineage
import Reports

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two methods' evaluations across cases: bootstrap CIs, Wilcoxon signed-rank, Cohen's d, Holm.",
        discussion: """
            Each side is one method's evaluation records (one per seed): record files, folders of them, or hash prefixes \
            of records in the workspace's evaluations/. Per case, a side's records are averaged first; only cases common \
            to both sides are compared (n = cases). Evaluations made on different dataset versions, splits, protocols or \
            gamma settings are refused unless --allow-mismatch. Exit status: 0 when compared, 2 when the comparison \
            cannot be made. --record writes the comparison to comparisons/<hash>.json (creating a workspace in the current \
            folder when none is found); its evaluations must be records of that workspace. --json prints the record.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption

    @Option(name: .customLong("a"), parsing: .upToNextOption, help: "Method A's evaluation records (one per seed).")
    var sideA: [String] = []

    @Option(name: .customLong("b"), parsing: .upToNextOption, help: "Method B's evaluation records (one per seed).")
    var sideB: [String] = []

    @Option(name: .customLong("metric"), parsing: .upToNextOption,
            help: "Metrics to compare (default: mae gamma-global gamma-ptv compliance ptv70-d95-error). Also: mae-body, gamma-mean, dvh-error:STRUCTURE:METRIC, dvh-abs-error:STRUCTURE:METRIC.")
    var metricNames: [String] = []

    @Option(name: .long, help: "Seed of the bootstrap resampling (recorded in the output).")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Bootstrap resamples.")
    var resamples: Int = 10_000

    @Option(name: .long, help: "Family-wise error rate for Holm–Bonferroni.")
    var alpha: Double = 0.05

    @Flag(name: .long, help: "Compare evaluations made on different versions, splits, protocols or gamma settings, saying so in the output.")
    var allowMismatch = false

    @Flag(name: .long, help: "Write the comparison to comparisons/<hash>.json (an identical one is not written twice).")
    var record = false

    @Option(name: .long, help: "A label for the comparison, kept in its record's context (not hashed) and shown by `dosecurate list`.")
    var label: String?

    func validate() throws {
        guard !sideA.isEmpty, !sideB.isEmpty else { throw ValidationError("give --a and --b, each with at least one evaluation record") }
        guard resamples >= 1 else { throw ValidationError("--resamples must be at least 1") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1") }
    }

    func run() throws {
        // Record files may be named by path anywhere; hash prefixes are looked up in the workspace, if any.
        // --record writes to the workspace found, or makes one here and says so, as `evaluate --record` does.
        let found = record ? try space.workspaceForWriting() : try space.workspaceIfAny()
        let workspace = try found ?? Workspace(path: FileManager.default.currentDirectoryPath, create: false)
        func inputs(_ arguments: [String]) throws -> [EvaluationComparison.Input] {
            try arguments.flatMap { try EvaluationRecord.files(named: $0, in: workspace) }
                .map { file in
                    let record = try EvaluationRecord.read(file)
                    let runLabel = record.identity.model?.run.flatMap { try? RunRecord.pins(of: $0, in: workspace).label }
                    return EvaluationComparison.Input(file: file, record: record, label: record.context.label ?? runLabel)
                }
        }
        let metrics = metricNames.isEmpty ? ComparisonMetric.defaults : try metricNames.map(ComparisonMetric.parse)
        let a = try inputs(sideA), b = try inputs(sideB)
        let comparison = try EvaluationComparison(a: a, b: b, metrics: metrics, bootstrap: PercentileBootstrap(resamples: resamples, seed: seed),
                                                  alpha: alpha, allowMismatch: allowMismatch)
        let made = try ComparisonRecord(comparison, a: a, b: b, label: label, in: workspace)
        let written = record ? try made.commit(to: workspace) : false
        if printing.json {
            JSONOutput.printRecord(try made.bytes())
        } else {
            print(ComparisonText.render(made, recordFile: record ? made.fileName : nil, alreadyRecorded: record && !written), terminator: "")
        }
    }
}

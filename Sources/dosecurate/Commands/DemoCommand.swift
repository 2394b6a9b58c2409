import ArgumentParser
import Support
import Foundation
import Workflows

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole path on a seeded phantom cohort: phantoms, audit, freeze, split, train a tiny model, predict, evaluate.",
        discussion: """
            Works in --workspace (default demo-workspace), which must be absent or empty. About nine minutes on two \
            cores after the build. Exit status: 0 done, 2 could not run (a non-empty workspace, a failure on the way).
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var verbosity: QuietOption

    @Option(name: .long, help: "The workspace to create: an empty or absent folder.")
    var workspace: String = "demo-workspace"

    @OptionGroup var threads: ThreadsOption

    func run() async throws {
        // The walk-through is the demo's point; --quiet and --json keep only the result.
        let narrate = !verbosity.quiet && !printing.json
        let bar = TrainingProgressBar(terminal: Terminal.showsProgress(quiet: verbosity.quiet), epochLines: narrate)
        let started = Date()
        let outcome = try await DemoWorkflow.run(DemoRequest(workspace: workspace, threads: threads.count)) { event in
            switch event {
            case let .step(number, count, title):
                bar.finish()
                if narrate { FileHandle.standardOutput.write("\n== [\(number)/\(count)] \(title)\n") }
            case let .text(text):
                bar.finish()
                if narrate { FileHandle.standardOutput.write(text.hasSuffix("\n") ? text : text + "\n") }
            case let .progress(line): bar.show(line: line)
            case let .training(progress): bar.show(progress)
            }
        }
        bar.finish()
        let seconds = Date().timeIntervalSince(started)
        if printing.json {
            let verdict = outcome.verdict
            let verdictFields: [String: JSONValue] = [
                "learningTheRightThing": .bool(verdict.shortfalls.isEmpty), "shortfalls": .array(verdict.shortfalls.map(JSONValue.string)),
                "cases": .int(Int64(verdict.cases)), "v95Covered": .int(Int64(verdict.v95Covered)),
                "meanAbsoluteD95ErrorGy": verdict.meanAbsoluteD95ErrorGy.map(JSONValue.number) ?? .null,
                "meanPTVGammaPercent": verdict.meanPTVGammaPercent.map(JSONValue.number) ?? .null,
            ]
            let reports: [String: JSONValue] = [
                "evaluation": .string(outcome.report), "audit": .string(outcome.auditReport), "datasetVersion": .string(outcome.versionReport),
            ]
            let steps: [JSONValue] = outcome.seconds.map { .object(["step": .string($0.step), "seconds": .number($0.seconds)]) }
            var fields: [String: JSONValue] = ["workspace": .string(workspace), "dataset": .string(outcome.dataset), "split": .string(outcome.split)]
            fields["runId"] = .string(outcome.runId)
            fields["evaluationRecord"] = outcome.evaluationRecord.map(JSONValue.string) ?? .null
            fields["verdict"] = .object(verdictFields)
            fields["reports"] = .object(reports)
            fields["seconds"] = .number(seconds)
            fields["steps"] = .array(steps)
            return JSONOutput.print(fields, result: "demo")
        }
        if narrate {
            let steps = outcome.seconds.map { "\($0.step) " + String(format: "%.0f s", $0.seconds) }
            print(String(format: "done in %.0f s: ", seconds) + steps.joined(separator: ", "))
            print("reports (open them in a browser; they work offline):\n  \(outcome.report)\n  \(outcome.auditReport)\n  \(outcome.versionReport)")
        } else {
            print("report: \(outcome.report)")
        }
    }
}

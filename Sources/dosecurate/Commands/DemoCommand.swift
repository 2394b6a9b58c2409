import ArgumentParser
import Foundation
import Workflows
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole path on a seeded phantom cohort: phantoms, audit, freeze, split, train a tiny model, predict, evaluate.",
        discussion: """
            Works in --workspace (default demo-workspace), which must be absent or empty. About five minutes on two \
            cores after the build. Exit status: 0 done, 2 could not run (a non-empty workspace, a failure on the way).
            """
    )

    @Option(name: .long, help: "An empty or absent folder to work in.")
    var workspace: String = "demo-workspace"

    @Option(name: .long, help: "Threads for auditing, training and prediction.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "No progress lines.")
    var quiet = false

    func run() async throws {
        let terminal = !quiet && isatty(STDERR_FILENO) != 0
        let bar = TrainingProgressBar(terminal: terminal, epochLines: !quiet)
        let started = Date()
        let outcome = try await DemoWorkflow.run(DemoRequest(workspace: workspace, threads: threads)) { event in
            switch event {
            case let .step(number, count, title):
                bar.finish()
                FileHandle.standardOutput.write("\n== [\(number)/\(count)] \(title)\n")
            case let .text(text):
                bar.finish()
                FileHandle.standardOutput.write(text.hasSuffix("\n") ? text : text + "\n")
            case let .progress(line): if terminal { FileHandle.standardError.write("\r\u{1B}[K\(line)") }
            case let .training(progress): bar.show(progress)
            }
        }
        bar.finish()
        let steps = outcome.seconds.map { "\($0.step) " + String(format: "%.0f s", $0.seconds) }
        print(String(format: "done in %.0f s: ", Date().timeIntervalSince(started)) + steps.joined(separator: ", "))
        print("reports (open them in a browser; they work offline):\n  \(outcome.report)\n  \(outcome.auditReport)\n  \(outcome.versionReport)")
    }
}

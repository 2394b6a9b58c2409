import ArgumentParser
import Foundation
import Lineage
#if canImport(Glibc)
import Glibc
#endif

/// The process entry point. swift-argument-parser exits 64 on usage errors; dosecurate's contract
/// (README, "Exit codes") is 0 clean, 1 data problems, 2 could not do what was asked.
@main
enum Entry {
    static func main() async {
        if let problem = CommandPathCheck.check(Array(CommandLine.arguments.dropFirst()), root: Dosecurate.self) {
            FileHandle.standardError.write(problem.message + "\n")
            Glibc.exit(ExitStatus.couldNotRun.rawValue)
        }
        do {
            var command = try Dosecurate.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Dosecurate.exit(withError: exit)
        } catch {
            let code = Dosecurate.exitCode(for: error)
            if code == .success {
                Dosecurate.exit(withError: error)  // --help, --version
            } else if code == .validationFailure {
                // One spelling of the prefix for every error the user sees.
                var message = Dosecurate.fullMessage(for: error)
                if message.hasPrefix("Error: ") { message = "error: " + message.dropFirst("Error: ".count) }
                FileHandle.standardError.write(message + "\n")
                Glibc.exit(ExitStatus.couldNotRun.rawValue)
            } else {
                FileHandle.standardError.write("error: \(error)\n" + (ErrorHints.hint(for: error).map { "hint: \($0)\n" } ?? ""))
                Glibc.exit(ExitStatus.couldNotRun.rawValue)
            }
        }
    }
}

/// dosecurate's exit codes.
enum ExitStatus: Int32 {
    case clean = 0
    /// The work was done and the data has problems.
    case dataProblems = 1
    /// The work could not be done: usage error, missing path, refusal.
    case couldNotRun = 2

    var exitCode: ExitCode { ExitCode(rawValue) }
}

struct Dosecurate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dosecurate",
        abstract: "Audit, version and pin radiotherapy dose-prediction datasets (.npz cases).",
        version: ToolBuild.current.version,
        subcommands: [InitCommand.self, StatusCommand.self, ListCommand.self, InspectCommand.self, AuditCommand.self, PhantomsCommand.self, FreezeCommand.self, VerifyCommand.self, SplitCommand.self,
                      EvaluateCommand.self, CompareCommand.self, ModelCommand.self, TrainCommand.self, RunCommand.self, DemoCommand.self, PredictCommand.self, ExportCommand.self, ReportCommand.self, ViewCommand.self]
    )

    /// `dosecurate` alone did nothing that was asked: the help goes to standard error, exit 2.
    func run() async throws {
        FileHandle.standardError.write(Dosecurate.helpMessage() + "\n")
        throw ExitStatus.couldNotRun.exitCode
    }
}

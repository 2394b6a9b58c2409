import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--json`, for every command that prints a result: the result as one JSON document whose
/// `schema` key names its shape.
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print the result as JSON (one document; its \"schema\" key names its shape).")
    var json = false
}

/// `-q/--quiet`: the same in every command.
struct QuietOption: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print errors and the final result line only.")
    var quiet = false
}

/// `-j/--threads`, for the commands that work in parallel. `--jobs`, its name before commands
/// shared one vocabulary, still works and is not shown.
struct ThreadsOption: ParsableArguments {
    @Option(name: [.customShort("j"), .long], help: ArgumentHelp("Threads to work with (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("jobs"), help: .hidden)
    var jobs: Int?

    /// The thread count asked for on the command line, under either name.
    var given: Int? { threads ?? jobs }

    /// The thread count asked for, else one per core.
    var count: Int { given ?? ProcessInfo.processInfo.activeProcessorCount }

    func validate() throws {
        if let threads, let jobs, threads != jobs { throw ValidationError("--jobs is the old name of --threads: give one of them") }
        guard count >= 1 else { throw ValidationError("--threads must be at least 1") }
    }
}

/// The one rule for what a command draws: progress only on a terminal's standard error and
/// never with --quiet; colour only on a terminal's standard output without NO_COLOR.
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    static var colour: Bool { isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    static func showsProgress(quiet: Bool) -> Bool { !quiet && standardErrorIsTerminal }
}

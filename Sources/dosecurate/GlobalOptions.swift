import ArgumentParser

/// Flags every command shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON instead of tables.")
    var json = false

    @Option(name: .long, help: "The workspace folder records are written to and read from.")
    var workspace: String = "."

    @Flag(name: .long, help: "Print nothing but errors and the result.")
    var quiet = false
}

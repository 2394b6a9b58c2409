import ArgumentParser

/// Catches a misspelt subcommand before parsing, so `dosecurate nosuch`, `dosecurate split nosuch`
/// and `dosecurate help nosuch` exit 2 with the nearest names instead of a generic message (or,
/// for `help`, the root help and exit 0); and a command group named alone, which prints its help
/// to standard error and exits 2.
enum CommandPathCheck {
    struct Problem: Error {
        let message: String
    }

    /// The problem with `arguments` (without the program name), or nil when each word before the
    /// first flag names a command or is an argument of a leaf command.
    static func check(_ arguments: [String], root: ParsableCommand.Type) -> Problem? {
        var words = arguments[...]
        let asksForHelp = words.first == "help" || words.contains { ["-h", "--help", "--version"].contains($0) || $0.hasPrefix("--generate-") }
        if words.first == "help" { words = words.dropFirst() }
        var command = root, path = [root.configuration.commandName ?? ""]
        while let word = words.first, !word.hasPrefix("-"), !command.configuration.subcommands.isEmpty {
            let names = command.configuration.subcommands.compactMap { $0.configuration.commandName }
            guard let next = command.configuration.subcommands.first(where: { $0.configuration.commandName == word }) else {
                let nearest = suggestions(for: word, among: names)
                let hint = nearest.isEmpty ? "" : " — did you mean \(nearest.map { "'\($0)'" }.joined(separator: " or "))?"
                return Problem(message: "error: '\(word)' is not a \(path.joined(separator: " ")) command\(hint)\n"
                               + "commands: \(names.joined(separator: ", ")); see '\(path.joined(separator: " ")) --help'")
            }
            command = next
            path.append(word)
            words = words.dropFirst()
        }
        // A command group alone (`dosecurate split`) did nothing that was asked, as `dosecurate` alone.
        if path.count > 1, !command.configuration.subcommands.isEmpty, !asksForHelp {
            return Problem(message: root.helpMessage(for: command))
        }
        return nil
    }

    /// The names within edit distance 2 of `word`, or that start with it, nearest first.
    static func suggestions(for word: String, among names: [String]) -> [String] {
        names.map { ($0, distance(word, $0)) }
            .filter { $0.1 <= 2 || $0.0.hasPrefix(word) }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .map(\.0)
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

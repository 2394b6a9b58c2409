import Support
import ArgumentParser
import Foundation
import Lineage
import NumpyFormat
import Reports

struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Lock, extend, verify, show and export stratified train/val/test splits of a dataset version.",
        subcommands: [SplitLockCommand.self, SplitExtendCommand.self, SplitVerifyCommand.self, SplitShowCommand.self, SplitExportCommand.self]
    )
}

extension SplitExport.Format: ExpressibleByArgument {}

/// `--strata`: strata keys separated by commas, each once; --help lists them.
struct StrataKeys: ExpressibleByArgument {
    let keys: [SplitStrata.Key]

    init(keys: [SplitStrata.Key]) { self.keys = keys }

    init?(argument: String) {
        guard let keys = try? SplitStrata.parseKeys(argument) else { return nil }
        self.keys = keys
    }

    static var allValueStrings: [String] { SplitStrata.Key.allCases.map(\.rawValue) }
    var defaultValueDescription: String { keys.map(\.rawValue).joined(separator: ",") }
}

/// Prints a split record: `--json` the record, `--quiet` its name, else the `show` text.
private func printSplit(_ split: SplitRevision, note: String, json: Bool, quiet: Bool, workspace: Workspace) throws {
    if json {
        JSONOutput.printRecord(split.envelope.bytes)
    } else if quiet {
        print(split.reference)
    } else {
        print("\(split.reference)  (\(note))")
        print(SplitText.render(split, dataset: try DatasetRevision.resolve(split.identity.dataset, in: workspace)), terminator: "")
    }
}

struct SplitLockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Lock a stratified split of a dataset version as splits/NAME@1.json.",
        discussion: "Locking again with the same inputs prints the existing split; different inputs for an existing name are refused (exit 2)."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "The split's name (letters, digits, '.', '_', '-').")
    var name: String

    @Option(help: "The dataset version: dsv-… (its latest revision) or dsv-…@k.")
    var dataset: String

    @Option(help: "train/val/test weights.")
    var ratios: String = "80/10/10"

    @Option(help: "Comma-separated strata keys.")
    var strata: StrataKeys = StrataKeys(keys: SplitStrata.Key.allCases)

    @Option(help: "The seed of the hash order inside each stratum.")
    var seed: UInt64 = 0

    @Option(help: "Cross-validation folds over train+val (test stays held out).")
    var folds: Int?

    func run() throws {
        let workspace = try space.existingWorkspace()
        let request = SplitBook.LockRequest(name: name, dataset: dataset, ratios: try LockedSplit.Ratios.parse(ratios),
                                            strata: strata.keys, seed: seed, folds: folds)
        let (split, outcome) = try SplitBook.lock(request, in: workspace)
        try printSplit(split, note: outcome == .written ? "locked: \(split.fileName)" : "already locked with these inputs; nothing written",
                       json: printing.json, quiet: verbosity.quiet, workspace: workspace)
    }
}

struct SplitExtendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: "Add a newer dataset version's new cases to a split as revision k+1; no earlier assignment moves.",
        discussion: "The new version must hold every case of the split with the same case hash, else the extension is refused (exit 2)."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "The split's name.")
    var name: String

    @Option(help: "The newer dataset version: dsv-… or dsv-…@k.")
    var dataset: String

    @Flag(help: "Put new cases in train and val only; the test set stays as locked.")
    var noNewTest = false

    func run() throws {
        let workspace = try space.existingWorkspace()
        let (split, outcome) = try SplitBook.extend(name, dataset: dataset, allowNewTest: !noNewTest, in: workspace)
        try printSplit(split, note: outcome == .written ? "extended: \(split.fileName)" : "already splits \(split.identity.dataset); nothing written",
                       json: printing.json, quiet: verbosity.quiet, workspace: workspace)
    }
}

struct SplitVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a split's record hashes, its parent chain and every case hash against its dataset version.",
        discussion: "Exit status: 0 when all agree, 1 when anything differs (each difference is named), 2 when the split does not exist."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "The split's name.")
    var name: String

    func run() throws {
        let workspace = try space.existingWorkspace()
        let access = try workspace.lockForReading()
        let split = try SplitRevision.resolve(name, in: workspace)
        let (records, findings) = SplitVerifier.verify(name: split.name, in: workspace)
        withExtendedLifetime(access) {}
        let report = VerificationReport(records: records, versions: 0, cases: split.identity.cases.count, deep: false, readOnly: access.isReadOnly,
                                        findings: findings)
        if printing.json {
            try JSONOutput.print(report, result: "split-verify")
        } else if !verbosity.quiet || !findings.isEmpty {
            print("checked \(records) revision\(records == 1 ? "" : "s") of \(split.name), \(split.identity.cases.count) cases against \(split.identity.dataset)")
            print(findings.isEmpty ? "no drift: the split is as locked" : findings.map { "  \($0.kind.rawValue)  \($0.message)" }.joined(separator: "\n"))
        }
        if !findings.isEmpty { throw ExitStatus.dataProblems.exitCode }
    }
}

struct SplitShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a split: strata × roles, poolings, the test set's coverage and warnings."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption

    @Argument(help: "NAME (the latest revision) or NAME@k.")
    var name: String

    func run() throws {
        let workspace = try space.existingWorkspace()
        let split = try SplitRevision.resolve(name, in: workspace)
        try printSplit(split, note: split.fileName, json: printing.json, quiet: false, workspace: workspace)
    }
}

struct SplitExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a split for a trainer: nnU-Net splits_final.json, a MONAI datalist, or CSV.",
        discussion: "Writes to standard output, or with -o to a file (atomically), then prints one line saying what it wrote (--json: a summary)."
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption

    @Argument(help: "NAME (the latest revision) or NAME@k.")
    var name: String

    @Option(help: "The trainer's format.")
    var format: SplitExport.Format

    @Option(name: [.short, .long], help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    func validate() throws {
        guard !printing.json || output != nil else {
            throw ValidationError("--json prints a summary of the file written: give -o/--output (without it the export itself goes to standard output)")
        }
    }

    func run() throws {
        let workspace = try space.existingWorkspace()
        let split = try SplitRevision.resolve(name, in: workspace)
        let data = try SplitExport.render(split, dataset: try DatasetRevision.resolve(split.identity.dataset, in: workspace), format: format)
        guard let output else { return FileHandle.standardOutput.write(data) }
        try AtomicFile.write([UInt8](data), to: output)
        let roles = LockedSplit.Role.allCases.map { role in (role, split.identity.cases.filter { $0.role == role }.count) }
        if printing.json {
            JSONOutput.print(["file": .string(output), "format": .string(format.rawValue), "split": .string(split.reference),
                              "dataset": .string(split.identity.dataset), "bytes": .int(Int64(data.count)),
                              "cases": .object(Dictionary(uniqueKeysWithValues: roles.map { ($0.0.rawValue, .int(Int64($0.1))) }))],
                             result: "split-export")
        } else {
            print("wrote \(output): \(split.reference) as \(format.rawValue), " + roles.map { "\($0.0.rawValue) \($0.1)" }.joined(separator: ", "))
        }
    }
}

import ArgumentParser
import DoseCase
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show one screen per .npz case: arrays, version, case id, spacing, plan type, channels, hashes."
    )

    @OptionGroup var printing: JSONOption

    @Argument(help: "One or more .npz case files.")
    var files: [String]

    func validate() throws {
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("no such file: \(file)")
        }
    }

    func run() throws {
        let reports = files.map(CaseInspection.inspect)
        if printing.json {
            try JSONOutput.print(["cases": reports], result: "inspect")
        } else {
            print(reports.map(InspectionTable.render).joined(separator: "\n"), terminator: "")
        }
        if reports.contains(where: { $0.error != nil }) { throw ExitStatus.dataProblems.exitCode }
    }
}

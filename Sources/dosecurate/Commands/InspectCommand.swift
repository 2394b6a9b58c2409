import ArgumentParser
import Foundation
import NumpyFormat

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the arrays inside .npz case files: dtype, shape, order and sizes."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "One or more .npz files.")
    var files: [String]

    func validate() throws {
        for file in files where !FileManager.default.fileExists(atPath: file) {
            throw ValidationError("no such file: \(file)")
        }
    }

    func run() throws {
        let reports = files.map(NPZInspection.inspect)
        if global.json {
            print(try NPZInspection.json(reports))
        } else {
            print(reports.map(NPZInspection.table).joined(separator: "\n"), terminator: "")
        }
        if reports.contains(where: { $0.error != nil }) { throw ExitStatus.dataProblems.exitCode }
    }
}

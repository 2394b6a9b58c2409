import ArgumentParser
import Support
import Foundation
import Lineage

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a folder a dosecurate workspace (writes its marker, .dosecurate/workspace.json).",
        discussion: """
            Commands find the workspace as git finds a repository: --workspace DIR, else DOSECURATE_WORKSPACE, else the nearest \
            folder at or above the current one holding the marker. A folder with records made before the marker existed is \
            upgraded (the marker is added; nothing else changes). Running init on a workspace changes nothing. \
            Exit status: 0 done, 2 the folder cannot be used.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "The folder (created if absent; default: the current folder).")
    var folder: String = "."

    func run() throws {
        let (workspace, outcome) = try WorkspaceDiscovery.initialize(folder)
        if printing.json {
            let name = switch outcome { case .created: "created"; case .upgraded: "upgraded"; case .alreadyAWorkspace: "unchanged" }
            return JSONOutput.print(["workspace": .string(workspace.resolvedPath), "outcome": .string(name)], result: "init")
        }
        switch outcome {
        case .created: print("created a workspace in \(workspace.resolvedPath)")
        case .upgraded: print("marked \(workspace.resolvedPath) as a workspace (its records were written before workspaces had a marker)")
        case .alreadyAWorkspace: print("\(workspace.resolvedPath) is already a workspace")
        }
    }
}

import ArgumentParser
import Foundation
import Lineage
import Reports

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List what the workspace holds: dataset versions with their revisions, splits, runs and evaluations.",
        discussion: """
            A tree per dataset version, oldest first, with labels (--label of train and evaluate) and dates. Reads only; \
            refuses a folder that is not a workspace. Exit status: 0 listed, 2 not a workspace.
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption

    func run() throws {
        let listing = WorkspaceListing.read(try space.existingWorkspace())
        if printing.json {
            try JSONOutput.print(listing, result: "list")
        } else {
            print(ListingText.render(listing), terminator: "")
        }
    }
}

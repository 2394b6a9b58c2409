import ArgumentParser
import Audit
import Foundation
import Lineage
import Reports
import Workflows

struct FreezeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Audit cases and freeze them as a content-addressed dataset version in the workspace.",
        discussion: """
            Writes datasets/<version>@<k>.json, audits/<version>.json and audits/<version>.junit.xml. Cases with audit \
            errors are excluded unless the policy's "include" justifies them. Without --institution or --institution-map, \
            a case's institution is the name of its parent folder. Exit status: 0 when the version is written (or already \
            frozen at these paths), 2 when it cannot be (conflicting case ids, a bad map or policy, a missing path, no case left to keep).
            """
    )

    @OptionGroup var printing: JSONOption
    @OptionGroup var space: WorkspaceOption
    @OptionGroup var verbosity: QuietOption

    @Argument(help: "Case files, folders (searched recursively for *.npz) and delivery archives.")
    var paths: [String]

    @Option(help: "One institution name for every case.")
    var institution: String?

    @Option(help: "A CSV file with the header caseId,institution.")
    var institutionMap: String?

    @OptionGroup var auditing: AuditRunOptions

    func validate() throws {
        guard institution == nil || institutionMap == nil else { throw ValidationError("give --institution or --institution-map, not both") }
        if let institution, institution.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--institution needs a name") }
    }

    func run() async throws {
        let assignment: InstitutionAssignment = try institutionMap.map { try InstitutionAssignment.loadMap(path: $0) }
            ?? institution.map { .fixed($0) } ?? .parentFolder
        let request = FreezeRequest(paths: paths, workspace: try space.workspaceForWriting(), institutions: assignment,
                                    policy: try auditing.loadPolicy(), workers: auditing.threads.count, useCache: !auditing.noCache)
        let progress = ProgressLine(total: 0, enabled: !verbosity.quiet)
        let outcome = try await FreezeWorkflow.run(request) { step in progress.show(done: step.done, total: step.total, item: step.file) }
        progress.finish()
        for caseId in outcome.unusedInclusions {
            FileHandle.standardError.write("warning: the policy includes \(caseId), which is not among the inputs\n")
        }
        if printing.json {
            JSONOutput.printRecord(outcome.revision.envelope.bytes)
        } else if verbosity.quiet {
            print(outcome.revision.reference)
        } else {
            let note = switch outcome.change {
            case .created: "new version; records: \(outcome.revision.fileName), \(outcome.revision.dataset.context.audit.report), \(outcome.revision.dataset.context.audit.junit)"
            case let .repointed(parent): "same data at new paths: revision \(outcome.revision.revision) of \(outcome.revision.id), parent \(parent)"
            case .unchanged: "already frozen at these paths; nothing written"
            }
            print(DatasetVersionText.render(outcome.revision, note: note), terminator: "")
        }
    }
}

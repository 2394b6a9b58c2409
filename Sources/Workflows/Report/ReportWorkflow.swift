import Evaluation
import Foundation
import Lineage
import Reports

/// What `report` is asked to do.
public struct ReportRequest: Sendable {
    /// A record file, a run id, or the start of an evaluation's or comparison's hash.
    public var subject: String
    public var workspace: Workspace
    /// Nil: `reports/<subject>/` in the workspace.
    public var output: String?
    /// Draw every case of an evaluation, not only the representative one.
    public var allCases: Bool
    public var workers: Int

    public init(subject: String, workspace: Workspace, output: String? = nil, allCases: Bool = false,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        (self.subject, self.workspace, self.output, self.allCases, self.workers) = (subject, workspace, output, allCases, workers)
    }
}

public struct ReportOutcome: Sendable {
    public let subject: ReportSubject
    /// The report folder (absolute) and its `index.html`.
    public let directory: String
    public var page: String { "\(directory)/index.html" }
    /// Every file written, relative to `directory`.
    public let files: [String]
    public let figures: Int
    public let notes: [String]
}

/// `report`: the figures a physicist looks at for an evaluation, a run or a comparison, as one
/// self-contained HTML page with every figure beside it as SVG (and PNG for images).
public enum ReportWorkflow {
    public static func run(_ request: ReportRequest, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ReportOutcome {
        let workspace = request.workspace
        let subject = try ReportSubject.resolve(request.subject, in: workspace)
        let page: ReportPage, notes: [String]
        switch subject {
        case let .evaluation(record, file):
            let input = try await EvaluationPictures.gather(record, recordName: workspace.recordedName(for: .file(file)), allCases: request.allCases,
                                                            in: workspace, workers: request.workers, progress: progress)
            (page, notes) = (try EvaluationReport.page(input), input.notes)
        case let .run(id):
            (page, notes) = (try RunReport.page(try RunSummary.read(id, in: workspace)), [])
        case let .comparison(record, file):
            (page, notes) = (try ComparisonReport.page(record, recordName: workspace.recordedName(for: .file(file))), [])
        case let .audit(report, file):
            // The audit names files as they were recorded: relative to the workspace, or absolute.
            (page, notes) = try await AuditReportWriter.page(report, name: workspace.recordedName(for: .file(file)),
                                                             path: { workspace.location(ofRecorded: $0).name }, workers: request.workers,
                                                             progress: progress)
        case let .version(revision):
            let splits = SplitRevision.catalog(of: workspace).keys.sorted().compactMap { try? SplitRevision.resolve($0, in: workspace) }
                .filter { $0.identity.dataset == revision.id }
            (page, notes) = (try DatasetVersionReport.page(revision, splits: splits), [])
        }
        progress("writing the report")
        let directory = request.output.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
            ?? workspace.file("reports/\(subject.name)")
        let files = try ReportFolder.write(page, to: directory)
        return ReportOutcome(subject: subject, directory: URL(fileURLWithPath: directory).standardizedFileURL.path, files: files,
                             figures: page.figures.count, notes: notes)
    }
}

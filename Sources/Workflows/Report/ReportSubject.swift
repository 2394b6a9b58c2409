import Audit
import Evaluation
import Foundation
import Lineage
import Support

/// What `dosecurate report SUBJECT` shows, resolved in a fixed order: a path to a record file
/// (evaluation, comparison, run, audit report); a run id (`runs/<id>` or `<id>`); a dataset
/// version (`dsv-…`, `dsv-…@k`, `latest`); a unique hash prefix among `evaluations/` and
/// `comparisons/`.
public enum ReportSubject: Sendable {
    case evaluation(EvaluationRecord, file: String)
    case run(id: String)
    case comparison(ComparisonRecord, file: String)
    case audit(AuditReport, file: String)
    case version(DatasetRevision)

    /// The folder name under `reports/`: the run id, or the record's 16-digit hash prefix.
    public var name: String {
        switch self {
        case let .evaluation(record, _): "evaluation-\(record.hash.prefix(16))"
        case let .run(id): "run-\(id)"
        case let .comparison(record, _): "comparison-\(record.hash.prefix(16))"
        case let .audit(_, file): "audit-" + ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        case let .version(revision): "version-\(revision.id)"
        }
    }

    public static func resolve(_ argument: String, in workspace: Workspace) throws -> ReportSubject {
        for candidate in [argument, workspace.file(argument)] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return try recordFile(candidate, in: workspace)
            }
        }
        let runId = argument.hasPrefix("\(RunFiles.folder)/") ? String(argument.dropFirst(RunFiles.folder.count + 1)) : argument
        if RunFiles.isRunId(runId), workspace.exists(RunFiles.record(runId)) { return .run(id: runId) }
        if argument.hasPrefix("dsv-") || argument == "latest" || argument.hasPrefix("latest@") {
            return .version(try DatasetRevision.resolve(argument, in: workspace))
        }

        let matches = RecordLookup.matches(prefix: argument.lowercased(), in: workspace)
        guard matches.count <= 1 else { throw RecordLookupError.ambiguous(argument: argument, candidates: matches.map(\.file)) }
        guard let match = matches.first else { throw ReportWorkflowError.notFound(argument: argument) }
        return try recordFile(workspace.file(match.file), in: workspace)
    }

    /// A record file of any kind the report shows, told apart by its schema.
    private static func recordFile(_ path: String, in workspace: Workspace) throws -> ReportSubject {
        guard let data = FileManager.default.contents(atPath: path), let value = try? JSONValue.parse(Array(data)),
              let schema = value["schema"]?.stringValue else {
            throw ReportWorkflowError.notARecord(path: path, schema: nil)
        }
        if schema.hasPrefix("dosecurate/evaluation/") { return .evaluation(try EvaluationRecord.read(path), file: path) }
        if schema.hasPrefix("dosecurate/comparison/") { return .comparison(try ComparisonRecord.read(path), file: path) }
        if schema == AuditReport.schemaName {
            do { return .audit(try value.decode(AuditReport.self), file: path) } catch {
                throw ReportWorkflowError.notARecord(path: path, schema: "\(schema), unreadable: \(error)")
            }
        }
        if schema.hasPrefix("dosecurate/dataset-version/"), let id = value["name"]?.stringValue ?? value["identity"]?["id"]?.stringValue,
           let revision = value["revision"]?.intValue {
            return .version(try DatasetRevision.read(id: id, revision: revision, from: workspace))
        }
        if schema.hasPrefix("dosecurate/run"), let runId = value["runId"]?.stringValue, workspace.exists(RunFiles.record(runId)) {
            return .run(id: runId)
        }
        throw ReportWorkflowError.notARecord(path: path, schema: schema)
    }
}

/// Why a report could not be made, or a part of it drawn.
public enum ReportWorkflowError: Error, Sendable, CustomStringConvertible {
    case notFound(argument: String)
    case notARecord(path: String, schema: String?)
    case caseInArchive(archive: String, member: String)

    public var description: String {
        switch self {
        case let .notFound(argument):
            "\(argument): not a record file, a run id (runs/<id>), a dataset version (dsv-…) or the start of an evaluation's or comparison's hash in this workspace"
        case let .notARecord(path, schema):
            "\(path): not an evaluation, comparison, run, audit or dataset version record (schema \(schema ?? "missing"))"
        case let .caseInArchive(archive, member):
            "the case is \(member) inside the delivery archive \(archive); extract it to draw its slices"
        }
    }
}

extension ReportWorkflowError: CodedError {
    public var code: String {
        switch self {
        case .notFound: "report_workflow.not_found"
        case .notARecord: "report_workflow.not_a_record"
        case .caseInArchive: "report_workflow.case_in_archive"
        }
    }
}

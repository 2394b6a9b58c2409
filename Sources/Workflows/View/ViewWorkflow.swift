import Audit
import DoseCase
import Foundation
import Reports
import Support

/// What `view` is asked to do.
public struct ViewRequest: Sendable {
    /// One `.npz` case file.
    public var casePath: String
    /// The page to write; nil: `<caseId>.html` in `directory`.
    public var output: String?
    /// Where a relative `output` and the default page go: the current folder.
    public var directory: String
    /// Findings to show (from an audit already run); nil audits the case.
    public var findings: [AuditFinding]?

    public init(casePath: String, output: String? = nil, directory: String = FileManager.default.currentDirectoryPath,
                findings: [AuditFinding]? = nil) {
        (self.casePath, self.output, self.directory, self.findings) = (casePath, output, directory, findings)
    }
}

public struct ViewOutcome: Sendable {
    public let caseId: String
    /// The page written, as an absolute path.
    public let page: String
    public let bytes: Int
    public let grid: ViewerGrid
    /// Nil when the case could not be audited (the page says why).
    public let findings: [AuditFinding]?
    /// What the page says under its title.
    public let notes: [String]
}

/// `view`: one case file as a self-contained HTML viewer (`CaseViewer`). Reads the file only: it
/// neither needs nor touches a workspace, and keeps no cache.
public enum ViewWorkflow {
    public static func run(_ request: ViewRequest, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ViewOutcome {
        let path = request.casePath
        guard FileManager.default.fileExists(atPath: path) else { throw ViewError.missingCase(file: path) }
        let doseCase: DoseCase
        do {
            doseCase = try DoseCase.open(path: path)
        } catch {
            throw ViewError.unreadableCase(file: path, cause: error)
        }
        let page = try pagePath(request, caseId: doseCase.caseId)
        // The audit streams the whole file on one core while this task reads the three members the
        // page draws and draws them on the other.
        async let audit = findings(request)
        progress("reading \(path)")
        var notes: [String] = []
        let drawing = try draw(doseCase, notes: &notes)
        progress("auditing \(path)")
        let (findings, auditNote) = await audit
        let version = doseCase.formatVersion
        let viewer = try CaseViewer.page(CaseViewerInput(
            caseId: doseCase.caseId, file: path, formatVersion: version.version.rawValue + (version.inferred ? " (inferred from keys)" : ""),
            drawing: drawing, metadata: doseCase.metadata, findings: findings, notes: notes + (auditNote.map { [$0] } ?? [])))
        progress("writing \(page)")
        try AtomicFile.write(viewer.html, to: page)
        return ViewOutcome(caseId: doseCase.caseId, page: page, bytes: viewer.html.count, grid: viewer.grid, findings: findings,
                           notes: viewer.notes)
    }

    /// `output` made absolute, or `<caseId>.html` when the case id can name a file.
    private static func pagePath(_ request: ViewRequest, caseId: String) throws -> String {
        let named: String
        if let output = request.output {
            named = output
        } else {
            if let problem = CaseIdName.problem(with: caseId) { throw DoseCaseError.unsafeCaseId(caseId: caseId, problem: problem) }
            named = "\(caseId).html"
        }
        let page = URL(fileURLWithPath: named.hasPrefix("/") ? named : "\(request.directory)/\(named)").standardizedFileURL
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: page.deletingLastPathComponent().path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ViewError.missingOutputFolder(page: page.path)
        }
        return page.path
    }

    /// The request's findings, or the case's own audit; an audit that cannot run leaves the page
    /// without findings and a note saying why.
    private static func findings(_ request: ViewRequest) async -> (findings: [AuditFinding]?, note: String?) {
        if let findings = request.findings { return (findings, nil) }
        do {
            let report = try await Auditor.run(paths: [request.casePath], options: AuditOptions(workers: 1, cacheDirectory: nil))
            return (report.cases.first?.findings ?? [], nil)
        } catch {
            return (nil, "The case could not be audited: \(error)")
        }
    }

    /// The page's drawing from the case's CT, dose and masks; the volumes are released on return.
    private static func draw(_ doseCase: DoseCase, notes: inout [String]) throws -> CaseViewerDrawing {
        let ct = readIfPresent("ct", of: doseCase, notes: &notes) { try $0.volume("ct") }
        let dose = readIfPresent("dose", of: doseCase, notes: &notes) { try $0.volume("dose") }
        let masks = readIfPresent("masks", of: doseCase, notes: &notes) { try $0.masks() }
        return try CaseViewerDrawing(file: doseCase.file, spacing: doseCase.spacing, ct: ct, dose: dose, masks: masks)
    }

    /// A member the case lacks, or one that cannot be read, is left out of the page with a note.
    private static func readIfPresent<Value>(_ key: String, of doseCase: DoseCase, notes: inout [String],
                                             _ read: (DoseCase) throws -> Value) -> Value? {
        guard doseCase.arrayKeys.contains(key) else {
            notes.append("The case has no \(key) array.")
            return nil
        }
        do {
            return try read(doseCase)
        } catch {
            notes.append("Not drawn: \(key) could not be read (\(error)).")
            return nil
        }
    }
}

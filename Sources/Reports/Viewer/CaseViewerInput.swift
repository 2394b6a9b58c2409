import Audit
import NumpyFormat

/// What the case viewer shows: one case's drawing (`CaseViewerDrawing`), what identifies it, its
/// metadata and its audit findings.
public struct CaseViewerInput: Sendable {
    public var caseId: String
    /// The case file as the user named it, shown under the title.
    public var file: String
    /// "2.4", "2.0 (inferred from keys)", as `inspect` says it; nil when unknown.
    public var formatVersion: String?
    public var drawing: CaseViewerDrawing
    public var metadata: MetadataValue?
    /// The case's audit findings; nil when the case was not audited (the page says so).
    public var findings: [AuditFinding]?
    /// Lines the page shows under the title: arrays that could not be read, and why.
    public var notes: [String]

    public init(caseId: String, file: String, formatVersion: String? = nil, drawing: CaseViewerDrawing, metadata: MetadataValue? = nil,
                findings: [AuditFinding]? = nil, notes: [String] = []) {
        (self.caseId, self.file, self.formatVersion, self.drawing) = (caseId, file, formatVersion, drawing)
        (self.metadata, self.findings, self.notes) = (metadata, findings, notes)
    }
}

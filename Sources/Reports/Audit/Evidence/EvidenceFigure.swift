import Audit

/// The picture of one audit finding: which finding (its index in `CaseAudit.findings`, and the
/// finding itself, so a page can match either way) and the figure that shows it.
public struct EvidenceFigure: Sendable {
    public let findingIndex: Int
    public let finding: AuditFinding
    /// Named `evidence-<caseId>-<check id, dots and underscores as dashes>`, then `-<structure>`
    /// when the finding names one; unique within the case.
    public let figure: ReportFigure

    public var check: String { finding.check }
}

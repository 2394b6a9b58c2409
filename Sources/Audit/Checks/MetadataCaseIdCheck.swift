import DoseCase

/// `metadata.case_id`: the case id is a plain file name. Predictions and gamma maps are written
/// under names built from it, so an id with a path separator, `..` or a control character is an
/// error here and is refused by every command that would write a file named after it.
public struct MetadataCaseIdCheck: CaseCheck {
    public static let id = "metadata.case_id"
    public let definition = CheckDefinition(
        id: id, purpose: "the case id is a plain file name (no path separator, '..', control character; at most 255 bytes)",
        severityRule: "error when it is not",
        measures: ["reason"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let caseId = facts.caseId
        guard let problem = CaseIdName.problem(with: caseId) else { return [] }
        return [finding(.error, "case id \(CaseIdName.quoted(caseId)) cannot name a file: \(problem)", ["reason": .text(problem)])]
    }
}

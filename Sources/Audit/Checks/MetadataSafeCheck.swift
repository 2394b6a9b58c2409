/// `metadata.safe`: the metadata pickle decodes with the restricted unpickler. A pickle that
/// names anything outside the allow-list (spec, "metadata") is refused, never run.
public struct MetadataSafeCheck: CaseCheck {
    public static let id = "metadata.safe"
    public let definition = CheckDefinition(
        id: id, purpose: "metadata decodes with the restricted unpickler (refused, never run)",
        severityRule: "error when the pickle is refused or cannot be decoded",
        measures: ["reason"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard case let .refused(reason) = facts.metadataOutcome else { return [] }
        return [finding(.error, "metadata refused by the restricted unpickler, nothing was executed: \(reason)",
                        ["reason": .text(reason)])]
    }
}

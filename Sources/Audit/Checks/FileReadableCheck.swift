/// `file.readable`: the archive and every `.npy` member decode, and every CRC matches.
public struct FileReadableCheck: CaseCheck {
    public static let id = "file.readable"
    public let definition = CheckDefinition(
        id: id, purpose: "the archive and every .npy member decode; CRCs match",
        severityRule: "error when any part of the file cannot be read",
        arraysRead: ["every member"], measures: ["reason"],
        // The reader's reason starts with the file's name.
        locationFields: ["message", "measured.reason"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let reason = facts.readFailure else { return [] }
        return [finding(.error, "cannot be read to its end: \(reason)", ["reason": .text(reason)])]
    }
}

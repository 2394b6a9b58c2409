/// `file.readable`: the archive and every `.npy` member decode, every CRC matches, and the
/// members' declared sizes fit the per-case memory budget.
public struct FileReadableCheck: CaseCheck {
    public static let id = "file.readable"
    /// The largest real case holds about 0.69 GB of arrays once inflated; 4 GiB leaves six times
    /// that for larger grids while a header declaring 12 GiB of zeros is refused before any
    /// buffer exists.
    public static let caseBudgetGiB = 4.0
    public let definition = CheckDefinition(
        id: id, purpose: "the archive and every .npy member decode; CRCs match; declared sizes fit the per-case budget",
        severityRule: "error when any part of the file cannot be read, or its members declare more than caseBudgetGiB in all",
        arraysRead: ["every member"], measures: ["reason"], thresholds: ["caseBudgetGiB": caseBudgetGiB],
        // The reader's reason starts with the file's name.
        locationFields: ["message", "measured.reason"])

    public init() {}

    /// The budget in bytes under `limits` (the default when the policy's value is not a positive number).
    public static func caseBudgetBytes(_ limits: CheckThresholds) -> Int {
        let gib = limits["caseBudgetGiB"]
        guard gib.isFinite, gib > 0, gib < 1_048_576 else { return Int(caseBudgetGiB * 1_073_741_824) }
        return Int(gib * 1_073_741_824)
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let reason = facts.readFailure else { return [] }
        return [finding(.error, "cannot be read to its end: \(reason)", ["reason": .text(reason)])]
    }
}

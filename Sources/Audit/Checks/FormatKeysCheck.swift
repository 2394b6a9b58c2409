/// `format.keys`: the members the spec requires are present (spec, "Keys").
public struct FormatKeysCheck: CaseCheck {
    public static let id = "format.keys"
    /// Without these a case cannot be trained on or evaluated.
    public static let requiredKeys = ["ct", "dose", "masks"]
    /// Expected in every current version; their absence degrades, not breaks, a case.
    public static let expectedKeys = ["masks_sdf", "constraints", "metadata"]

    public let definition = CheckDefinition(
        id: id, purpose: "the required members are present",
        severityRule: "error when ct, dose or masks is missing; warning when masks_sdf, constraints or metadata is missing",
        measures: ["missing", "present"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let present = Set(facts.memberOrder)
        let measuredPresent = Measured.list(facts.memberOrder.map(Measured.text))
        var findings: [AuditFinding] = []
        let missingRequired = Self.requiredKeys.filter { !present.contains($0) }
        if !missingRequired.isEmpty {
            findings.append(finding(.error, "missing required \(missingRequired.joined(separator: ", "))",
                                    ["missing": .list(missingRequired.map(Measured.text)), "present": measuredPresent]))
        }
        let missingExpected = Self.expectedKeys.filter { !present.contains($0) }
        if !missingExpected.isEmpty {
            var message = "missing \(missingExpected.joined(separator: ", "))"
            if missingExpected.contains("masks_sdf") { message += " (no SDF channels: the legacy v2.0 layout)" }
            findings.append(finding(.warning, message,
                                    ["missing": .list(missingExpected.map(Measured.text)), "present": measuredPresent]))
        }
        return findings
    }
}

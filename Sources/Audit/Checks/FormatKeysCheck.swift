/// `format.keys`: the members the spec requires are present (spec, "Keys").
public struct FormatKeysCheck: CaseCheck {
    public static let id = "format.keys"
    /// Without these a case cannot be trained on or evaluated.
    public static let requiredKeys = ["ct", "dose", "masks"]
    /// Expected in every current version; their absence degrades, not breaks, a case.
    public static let expectedKeys = ["masks_sdf", "constraints", "metadata"]

    /// How many unknown member names a finding lists before it only counts them.
    static let listedUnknown = 10

    public let definition = CheckDefinition(
        id: id, purpose: "the required members are present, and no member the spec does not define",
        severityRule: "error when ct, dose or masks is missing; warning when masks_sdf, constraints or metadata is missing, or for members the spec does not define",
        measures: ["missing", "present", "unknown", "unknownCount"])

    /// The spec's keys, and the optional per-beam MLC arrays `beam{i}_mlc_a` / `beam{i}_mlc_b`.
    static func isKnown(_ key: String) -> Bool {
        if requiredKeys.contains(key) || expectedKeys.contains(key) { return true }
        guard key.hasPrefix("beam"), key.hasSuffix("_mlc_a") || key.hasSuffix("_mlc_b") else { return false }
        let number = key.dropFirst(4).dropLast(6)
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
    }

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        let present = Set(facts.memberOrder)
        let unknown = facts.memberOrder.filter { !Self.isKnown($0) }
        let measuredPresent = Measured.list(facts.memberOrder.filter(Self.isKnown).map(Measured.text))
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
        if !unknown.isEmpty {
            let listed = unknown.prefix(Self.listedUnknown)
            let more = unknown.count > listed.count ? " and \(unknown.count - listed.count) more" : ""
            findings.append(finding(.warning, "\(unknown.count) member\(unknown.count == 1 ? "" : "s") the spec does not define: \(listed.joined(separator: ", "))\(more)",
                                    ["unknown": .list(listed.map(Measured.text)), "unknownCount": .integer(unknown.count)]))
        }
        return findings
    }
}

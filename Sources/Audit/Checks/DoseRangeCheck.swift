/// `dose.range`: stored dose (Gy / normalisation) is never negative beyond rounding and never
/// reaches 1.5 (105 Gy when multiplied by 70).
public struct DoseRangeCheck: CaseCheck {
    public static let id = "dose.range"
    public static let minimumAllowed = -0.01
    public static let maximumBelow = 1.5

    public let definition = CheckDefinition(
        id: id, purpose: "dose within [−0.01, 1.5) of the normalisation",
        severityRule: "error when the minimum is below −0.01 or the maximum reaches 1.5 (105 Gy)",
        arraysRead: ["dose"], measures: ["minimum", "maximum", "maximumGy"],
        thresholds: ["minimumAllowed": minimumAllowed, "maximumBelow": maximumBelow])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let values = facts.arrays["dose"]?.values, let low = values.minimum, let high = values.maximum else { return [] }
        let measured: [String: Measured] = ["minimum": .number(rounded(low)), "maximum": .number(rounded(high)),
                                            "maximumGy": .number(rounded(high * 70))]
        var problems: [String] = []
        if low < limits["minimumAllowed"] { problems.append("minimum \(text(low, 3)) is below \(limits["minimumAllowed"])") }
        if high >= limits["maximumBelow"] { problems.append("maximum \(text(high, 3)) (\(text(high * 70)) Gy) reaches \(limits["maximumBelow"])") }
        return problems.isEmpty ? [] : [finding(.error, "dose " + problems.joined(separator: "; "), measured)]
    }
}

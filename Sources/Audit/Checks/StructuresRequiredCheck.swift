import DoseCase

/// `structures.required`: the structures every case needs are present and non-empty (spec,
/// "Structure channels").
public struct StructuresRequiredCheck: CaseCheck {
    public static let id = "structures.required"
    public static let required = [StructureChannel.ptv70, StructureChannel.prostate, StructureChannel.rectum, StructureChannel.bladder]
    public static let recommended = [StructureChannel.femurLeft, StructureChannel.femurRight, StructureChannel.bowel]

    public let definition = CheckDefinition(
        id: id, purpose: "PTV70, Prostate, Rectum and Bladder present; femurs and bowel recommended",
        severityRule: "error when PTV70, Prostate, Rectum or Bladder is missing or empty; warning when a femur or the bowel is",
        arraysRead: ["masks"], measures: ["missing", "empty"])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard !facts.channelVoxelCounts.isEmpty else { return [] }
        let catalog = facts.channels
        func problems(_ names: [String]) -> (missing: [String], empty: [String]) {
            var missing: [String] = [], empty: [String] = []
            for name in names {
                guard let index = catalog.index(of: name), index < facts.channelVoxelCounts.count else { missing.append(name); continue }
                if facts.channelVoxelCounts[index] == 0 { empty.append(name) }
            }
            return (missing, empty)
        }
        var findings: [AuditFinding] = []
        for (names, severity) in [(Self.required, Severity.error), (Self.recommended, Severity.warning)] {
            let (missing, empty) = problems(names)
            guard !missing.isEmpty || !empty.isEmpty else { continue }
            var parts: [String] = []
            if !missing.isEmpty { parts.append("no channel for \(missing.joined(separator: ", "))") }
            if !empty.isEmpty { parts.append("\(empty.joined(separator: ", ")) empty") }
            findings.append(finding(severity, (severity == .error ? "required structure: " : "recommended structure: ") + parts.joined(separator: "; "),
                                    ["missing": .list(missing.map(Measured.text)), "empty": .list(empty.map(Measured.text))]))
        }
        return findings
    }
}

import DoseCase

/// `targets.geometry`: the targets form a prescription that can exist. PTV70 lies in the body
/// (not in the air around it), the prostate (the CTV) mostly inside PTV70, an intermediate-dose
/// target (PTV56, PTV50.4) around or beside PTV70 rather than inside it (a 56 Gy target inside
/// the 70 Gy one cannot be planned: every voxel of it receives 70 Gy), no target inside a
/// femoral head, and the dose ranked as the targets are (median dose PTV70 > PTV56 > PTV50.4).
public struct TargetsGeometryCheck: CaseCheck {
    public static let id = "targets.geometry"

    public let definition = CheckDefinition(
        id: id, purpose: "target nesting and dose ranking a prescription can have",
        severityRule: "error when PTV70 lies partly in air, the prostate is not mostly inside PTV70, an intermediate target lies inside PTV70, a target lies in a femoral head, or the targets' median doses are not ranked PTV70 > PTV56 > PTV50.4",
        arraysRead: ["masks", "ct", "dose"],
        measures: ["ptv70AirShare", "prostateInsidePTV70Share", "ptv56InsidePTV70Share", "ptv50_4InsidePTV70Share",
                   "largestFemurShare", "ptv70MedianGy", "ptv56MedianGy", "ptv50_4MedianGy"],
        thresholds: ["maximumPTV70AirShare": 0.05, "minimumProstateInsidePTV70Share": 0.9, "maximumIntermediateInsidePTV70Share": 0.9,
                     "maximumFemurShare": 0.05])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let ptv70 = facts.structures[StructureChannel.ptv70], !ptv70.isEmpty else { return [] }
        var measured: [String: Measured] = [:]
        var problems: [String] = []
        if let tissue = CTTissue(ct: facts.ct, grid: facts.grid) {
            let air = Self.share(of: ptv70) { tissue.isAir($0) }
            measured["ptv70AirShare"] = .number(rounded(air))
            if air > limits["maximumPTV70AirShare"] {
                problems.append("\(text(air * 100)) % of PTV70 lies in air (below −400 HU): the target is outside the body")
            }
        }
        if let prostate = facts.structures[StructureChannel.prostate], !prostate.isEmpty {
            let inside = Self.share(of: prostate) { ptv70.contains($0) }
            measured["prostateInsidePTV70Share"] = .number(rounded(inside))
            if inside < limits["minimumProstateInsidePTV70Share"] {
                problems.append("only \(text(inside * 100)) % of the prostate lies inside PTV70 (its planning margin should hold it all)")
            }
        }
        for (name, key) in [(StructureChannel.ptv56, "ptv56InsidePTV70Share"), (StructureChannel.ptv50_4, "ptv50_4InsidePTV70Share")] {
            guard let target = facts.structures[name], !target.isEmpty else { continue }
            let inside = Self.share(of: target) { ptv70.contains($0) }
            measured[key] = .number(rounded(inside))
            if inside >= limits["maximumIntermediateInsidePTV70Share"] {
                problems.append("\(text(inside * 100)) % of \(name) lies inside PTV70: a lower-dose target inside the 70 Gy one cannot receive its own dose")
            }
        }
        let femurs = [StructureChannel.femurLeft, StructureChannel.femurRight].compactMap { name in facts.structures[name].map { (name, $0) } }
        var largestFemurShare = 0.0
        for targetName in [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4] {
            guard let target = facts.structures[targetName], !target.isEmpty else { continue }
            for (femurName, femur) in femurs where !femur.isEmpty {
                let share = Self.share(of: target) { femur.contains($0) }
                largestFemurShare = max(largestFemurShare, share)
                if share > limits["maximumFemurShare"] {
                    problems.append("\(text(share * 100)) % of \(targetName) lies inside \(femurName)")
                }
            }
        }
        if !femurs.isEmpty { measured["largestFemurShare"] = .number(rounded(largestFemurShare)) }
        problems += rankingProblems(facts, measured: &measured)
        guard !problems.isEmpty else { return [] }
        return [finding(.error, "impossible target geometry: " + problems.joined(separator: "; "), measured)]
    }

    /// PTV70 > PTV56 > PTV50.4 by median dose, over the targets present.
    func rankingProblems(_ facts: CaseFacts, measured: inout [String: Measured]) -> [String] {
        let keys = [(StructureChannel.ptv70, "ptv70MedianGy"), (StructureChannel.ptv56, "ptv56MedianGy"), (StructureChannel.ptv50_4, "ptv50_4MedianGy")]
        let ranked = keys.compactMap { name, key in facts.structures[name]?.dose?.medianGy.map { (name, key, $0) } }
        guard ranked.count >= 2 else { return [] }
        for (_, key, median) in ranked { measured[key] = .number(rounded(median)) }
        return zip(ranked, ranked.dropFirst()).compactMap { higher, lower in
            higher.2 > lower.2 ? nil
                : "\(lower.0)'s median dose (\(text(lower.2)) Gy) is not below \(higher.0)'s (\(text(higher.2)) Gy)"
        }
    }

    /// The share of `structure`'s voxels for which `test` holds.
    static func share(of structure: StructureFacts, where test: (Int) -> Bool) -> Double {
        var hits = 0, total = 0
        structure.withMask { mask in
            for voxel in mask.indices where mask[voxel] != 0 {
                total += 1
                if test(voxel) { hits += 1 }
            }
        }
        return total == 0 ? 0 : Double(hits) / Double(total)
    }
}

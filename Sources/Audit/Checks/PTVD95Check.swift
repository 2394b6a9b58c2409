import DoseCase
import Dosimetry

/// `dose.ptv_d95`: every clinically delivered plan covers 95 % of each PTV with at least 95 % of
/// its level (spec, "Known defects": the D95 artifact). When D95 recovers on the PTV eroded by
/// 1–2 mm, the mask edge lies in the dose fall-off: a resampling artifact, not a bad plan.
public struct PTVD95Check: CaseCheck {
    public static let id = "dose.ptv_d95"
    /// (structure, level Gy, warn below Gy, error below Gy): 95 % of the level, and the
    /// pipeline's own hard alarm.
    public static let targets: [(name: String, key: String, levelGy: Double, warnBelowGy: Double, errorBelowGy: Double)] = [
        (StructureChannel.ptv70, "ptv70", 70, 66.5, 64),
        (StructureChannel.ptv56, "ptv56", 56, 53.2, 51),
        (StructureChannel.ptv50_4, "ptv50_4", 50.4, 47.88, 46),
    ]
    /// Erosion radii (mm) of the boundary diagnosis.
    public static let erosionRadiiMM = [1.0, 2.0]
    /// A voxel below this share of its PTV's level counts as "near zero dose".
    public static let nearZeroShareOfLevel = 0.1

    public let definition = CheckDefinition(
        id: id, purpose: "PTV D95 ≥ 95 % of its level; diagnoses the boundary artifact by erosion",
        severityRule: "warning below 66.5 / 53.2 / 47.88 Gy (PTV70 / PTV56 / PTV50.4); error below 64 / 51 / 46 Gy",
        arraysRead: ["dose", "masks"],
        measures: ["structure", "d95Gy", "d95Eroded1mmGy", "d95Eroded2mmGy", "meanGy", "nearZeroShare", "boundaryArtifact"],
        thresholds: Dictionary(uniqueKeysWithValues: targets.flatMap { target in
            [("\(target.key)WarnBelowGy", target.warnBelowGy), ("\(target.key)ErrorBelowGy", target.errorBelowGy)]
        } + [("nearZeroShareOfLevel", nearZeroShareOfLevel)]))

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard facts.grid != nil, facts.dose != nil else { return [] }
        return Self.targets.compactMap { target in
            let warnBelowGy = limits["\(target.key)WarnBelowGy"], errorBelowGy = limits["\(target.key)ErrorBelowGy"]
            guard let structure = facts.structures[target.name], let doses = structure.dose, !doses.isEmpty,
                  let d95 = doses.doseGy(covering: 95), d95 < warnBelowGy else { return nil }
            let nearZero = Double(doses.sortedDosesGy.prefix { $0 < target.levelGy * limits["nearZeroShareOfLevel"] }.count) / Double(doses.voxels)
            let eroded = ErodedTarget.erosions(of: structure, in: facts, radiiMM: Self.erosionRadiiMM).map { $0?.dose.doseGy(covering: 95) }
            let recovered = eroded.contains { ($0 ?? 0) >= warnBelowGy }
            let severity: Severity = d95 < errorBelowGy ? .error : .warning
            let erodedText = zip(Self.erosionRadiiMM, eroded).map { radius, value in
                "\(Int(radius)) mm eroded \(value.map { "\(text($0)) Gy" } ?? "—")"
            }.joined(separator: ", ")
            var message = "\(target.name) D95 \(text(d95)) Gy < \(warnBelowGy) Gy (\(erodedText); mean \(text(doses.meanGy ?? 0)) Gy; \(text(nearZero * 100)) % of voxels near zero dose)"
            if recovered { message = "boundary artifact: mask edge lies in the dose fall-off — " + message }
            var measured: [String: Measured] = [
                "structure": .text(target.name), "d95Gy": .number(rounded(d95)), "meanGy": .number(rounded(doses.meanGy ?? 0)),
                "nearZeroShare": .number(rounded(nearZero)), "boundaryArtifact": .flag(recovered),
            ]
            for (radius, value) in zip(Self.erosionRadiiMM, eroded) {
                if let value { measured["d95Eroded\(Int(radius))mmGy"] = .number(rounded(value)) }
            }
            return finding(severity, message, measured)
        }
    }
}

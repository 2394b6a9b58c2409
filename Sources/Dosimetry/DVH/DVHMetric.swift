import DoseCase

/// The DVH points an evaluation reports per structure (spec, dosimetry.md "DVH metrics"); the raw
/// values are the JSON keys of evaluation records.
public enum DVHMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case d98 = "D98", d95 = "D95", d50 = "D50", d5 = "D5", d2 = "D2"
    case meanDose = "Dmean", maxDose = "Dmax", minDose = "Dmin"
    case v70 = "V70", v60 = "V60", v50 = "V50", v45 = "V45", v40 = "V40"
    /// Bowel only: the volume receiving ≥ 45 Gy in cc.
    case v45cc = "V45cc"
    /// PTVs only: % of the volume receiving ≥ the PTV's prescription, and ≥ 95 % of it.
    case v100 = "V100", v95 = "V95"

    /// Prescription of each PTV (spec, "DVH metrics": V100 = % ≥ 70 / 56 / 50.4 Gy).
    public static let ptvPrescriptionGy: [String: Double] = [
        StructureChannel.ptv70: 70, StructureChannel.ptv56: 56, StructureChannel.ptv50_4: 50.4,
    ]

    public var unit: String {
        switch self {
        case .d98, .d95, .d50, .d5, .d2, .meanDose, .maxDose, .minDose: return "Gy"
        case .v45cc: return "cc"
        case .v70, .v60, .v50, .v45, .v40, .v100, .v95: return "%"
        }
    }

    /// The metrics that apply to a structure: every structure gets Dx, Dmean/Dmax/Dmin and Vx;
    /// the bowel V45cc; PTVs V100 and V95.
    public static func metrics(for structure: String) -> [DVHMetric] {
        allCases.filter { metric in
            switch metric {
            case .v45cc: return structure == StructureChannel.bowel
            case .v100, .v95: return ptvPrescriptionGy[structure] != nil
            default: return true
            }
        }
    }

    /// This metric of `dose` (the doses inside `structure`); nil for an empty structure.
    public func value(of dose: StructureDose, structure: String) -> Double? {
        switch self {
        case .d98: return dose.doseGy(covering: 98)
        case .d95: return dose.doseGy(covering: 95)
        case .d50: return dose.doseGy(covering: 50)
        case .d5: return dose.doseGy(covering: 5)
        case .d2: return dose.doseGy(covering: 2)
        case .meanDose: return dose.meanGy
        case .maxDose: return dose.maxGy
        case .minDose: return dose.minGy
        case .v70: return dose.volumePercent(receivingAtLeast: 70)
        case .v60: return dose.volumePercent(receivingAtLeast: 60)
        case .v50: return dose.volumePercent(receivingAtLeast: 50)
        case .v45: return dose.volumePercent(receivingAtLeast: 45)
        case .v40: return dose.volumePercent(receivingAtLeast: 40)
        case .v45cc: return dose.volumeCC(receivingAtLeast: 45)
        case .v100: return Self.ptvPrescriptionGy[structure].flatMap { dose.volumePercent(receivingAtLeast: $0) }
        case .v95: return Self.ptvPrescriptionGy[structure].flatMap { dose.volumePercent(receivingAtLeast: 0.95 * $0) }
        }
    }
}

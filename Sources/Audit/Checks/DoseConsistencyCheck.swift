import DoseCase

/// `dose.consistency`: the dose's high-dose region is PTV70's. A plan's 95 % isodose wraps its
/// 70 Gy target, so the region receiving ≥ 95 % of 70 Gy has PTV70's centroid and covers most of
/// it. A dose shifted against the anatomy, or another patient's dose on the same grid (a file
/// mix-up in a conversion step), puts that region elsewhere; `dose.registration` compares only
/// mean doses, and `dose.ptv_d95` would call it a coverage failure. The region is moved back by
/// the centroid offset and compared again (Dice): a dose planned on this PTV70 then matches it
/// (a plan's 95 % isodose reaches Dice 0.85–0.92 with its target), one planned on a differently
/// shaped target does not. Another patient's plan for a similar prostate matches too: the
/// message then names both causes.
public struct DoseConsistencyCheck: CaseCheck {
    public static let id = "dose.consistency"

    public let definition = CheckDefinition(
        id: id, purpose: "the ≥ 95 % isodose is centred on PTV70 and covers it: the dose was planned on this case's targets",
        severityRule: "error when no voxel reaches highDoseShare of 70 Gy, when that region's centroid lies more than maximumCentroidOffsetMM from PTV70's, or when it covers less than minimumCoverage of PTV70",
        arraysRead: ["dose", "masks"],
        measures: ["centroidOffsetMM", "offsetRowsColumnsSlicesMM", "ptv70Coverage", "highDoseVolumeCC", "recentredDice"],
        thresholds: ["highDoseShare": 0.95, "maximumCentroidOffsetMM": 8, "minimumCoverage": 0.5, "shiftedDiceAbove": 0.7])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let dose = facts.dose, let grid = facts.grid, let ptv70 = facts.structures[StructureChannel.ptv70],
              let target = ptv70.geometry.centroidVoxel else { return [] }
        let spacing = facts.spacing.millimetres
        let level = Float(limits["highDoseShare"] * Prescription.consumerScaleGy / facts.doseScaleGy)
        var count = 0, covered = 0
        var sums = [0.0, 0.0, 0.0]
        dose.withUnsafeBufferPointer { dose in
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    let base = grid.offset(row: row, column: column, slice: 0)
                    for slice in 0..<grid.slices where dose[base + slice] >= level {
                        count += 1
                        sums[0] += Double(row); sums[1] += Double(column); sums[2] += Double(slice)
                        if ptv70.contains(base + slice) { covered += 1 }
                    }
                }
            }
        }
        let levelText = "\(text(limits["highDoseShare"] * Prescription.consumerScaleGy)) Gy"
        guard count > 0 else {
            return [finding(.error, "no voxel reaches \(levelText) (\(text(limits["highDoseShare"] * 100, 0)) % of 70 Gy): the dose was not planned to this case's 70 Gy target",
                            ["highDoseVolumeCC": .number(0), "ptv70Coverage": .number(0)])]
        }
        let centroid = sums.map { $0 / Double(count) }
        let offsetMM = (0..<3).map { (centroid[$0] - target[$0]) * spacing[$0] }
        let distance = offsetMM.map { $0 * $0 }.reduce(0, +).squareRoot()
        let coverage = Double(covered) / Double(max(ptv70.geometry.voxels, 1))
        let voxelShift = (0..<3).map { Int((centroid[$0] - target[$0]).rounded()) }
        let dice = Self.recentredDice(dose: dose, level: level, grid: grid, shift: voxelShift, ptv70: ptv70, highDoseVoxels: count)
        let measured: [String: Measured] = [
            "centroidOffsetMM": .number(rounded(distance)), "offsetRowsColumnsSlicesMM": .list(offsetMM.map { .number(rounded($0)) }),
            "ptv70Coverage": .number(rounded(coverage)), "highDoseVolumeCC": .number(rounded(Double(count) * facts.spacing.voxelVolumeCC)),
            "recentredDice": .number(rounded(dice)),
        ]
        let offCentre = distance > limits["maximumCentroidOffsetMM"], uncovered = coverage < limits["minimumCoverage"]
        guard offCentre || uncovered else { return [] }
        let cause = dice >= limits["shiftedDiceAbove"]
            ? "moved back by that offset it overlaps PTV70 as a plan's would (Dice \(text(dice, 2))): a dose shifted against this anatomy, or another patient's plan for a similar target"
            : "even moved back by that offset it does not take PTV70's shape (Dice \(text(dice, 2))): the dose was planned on other targets (another patient's plan?)"
        return [finding(.error, "the region receiving ≥ \(levelText) is centred \(Self.describe(offsetMM)) of PTV70's centroid (\(text(distance)) mm) and covers \(text(coverage * 100)) % of PTV70; \(cause)", measured)]
    }

    /// "12.0 mm posterior, 4.0 mm left, 9.5 mm superior" (components under 1 mm left out).
    static func describe(_ offsetMM: [Double]) -> String {
        let words = [("anterior", "posterior"), ("right", "left"), ("inferior", "superior")]
        let parts = zip(offsetMM, words).filter { abs($0.0) >= 1 }.map { "\(text(abs($0.0))) mm \($0.0 < 0 ? $0.1.0 : $0.1.1)" }
        return parts.isEmpty ? "within 1 mm" : parts.joined(separator: ", ")
    }

    /// Dice between PTV70 and the high-dose region moved by −`shift` voxels.
    static func recentredDice(dose: [Float], level: Float, grid: VolumeShape, shift: [Int], ptv70: StructureFacts, highDoseVoxels: Int) -> Double {
        var overlap = 0
        ptv70.withMask { mask in
            for row in 0..<grid.rows {
                let sourceRow = row + shift[0]
                guard (0..<grid.rows).contains(sourceRow) else { continue }
                for column in 0..<grid.columns {
                    let sourceColumn = column + shift[1]
                    guard (0..<grid.columns).contains(sourceColumn) else { continue }
                    let base = grid.offset(row: row, column: column, slice: 0)
                    let sourceBase = grid.offset(row: sourceRow, column: sourceColumn, slice: 0)
                    for slice in 0..<grid.slices where mask[base + slice] != 0 {
                        let sourceSlice = slice + shift[2]
                        if (0..<grid.slices).contains(sourceSlice) && dose[sourceBase + sourceSlice] >= level { overlap += 1 }
                    }
                }
            }
        }
        return 2 * Double(overlap) / Double(highDoseVoxels + ptv70.geometry.voxels)
    }
}

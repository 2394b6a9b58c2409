@testable import Audit
import DoseCase
import NumpyFormat

/// A small case built in memory, voxel by voxel, for threshold-edge tests of the anatomy checks:
/// CT (air with a soft-tissue body box), dose, the standard nine mask channels and metadata, turned
/// into the `CaseFacts` a streaming pass would have gathered.
struct SyntheticCase {
    static let air: Float = CTTissue.stored(hu: -1000), tissue: Float = CTTissue.stored(hu: 40), bone: Float = CTTissue.stored(hu: 700)

    let grid: VolumeShape
    var spacingMM: [Double]
    var ct: [Float]
    var dose: [Float]
    /// One mask per standard channel (`StructureChannel.standardOrder`).
    var masks: [[UInt8]]
    var extraMetadata: [(String, MetadataValue)] = []

    init(rows: Int = 40, columns: Int = 100, slices: Int = 32, spacingMM: [Double] = [2, 2, 2.5]) {
        grid = VolumeShape(rows: rows, columns: columns, slices: slices)
        self.spacingMM = spacingMM
        ct = [Float](repeating: Self.air, count: grid.voxelCount)
        dose = [Float](repeating: 0, count: grid.voxelCount)
        let empty = [UInt8](repeating: 0, count: rows * columns * slices)
        masks = StructureChannel.standardOrder.map { _ in empty }
    }

    /// Every voxel of the box (half-open index ranges, clamped to the grid).
    func voxels(rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) -> [Int] {
        var result: [Int] = []
        for row in rows.clamped(to: 0..<grid.rows) {
            for column in columns.clamped(to: 0..<grid.columns) {
                for slice in slices.clamped(to: 0..<grid.slices) { result.append(grid.offset(row: row, column: column, slice: slice)) }
            }
        }
        return result
    }

    mutating func paint(_ structure: String, rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) {
        guard let channel = StructureChannel.standardOrder.firstIndex(of: structure) else { return }
        for voxel in voxels(rows: rows, columns: columns, slices: slices) { masks[channel][voxel] = 1 }
    }

    mutating func setCT(_ value: Float, rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) {
        for voxel in voxels(rows: rows, columns: columns, slices: slices) { ct[voxel] = value }
    }

    mutating func setDose(_ value: Float, rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) {
        for voxel in voxels(rows: rows, columns: columns, slices: slices) { dose[voxel] = value }
    }

    mutating func clear(_ structure: String) {
        guard let channel = StructureChannel.standardOrder.firstIndex(of: structure) else { return }
        masks[channel] = [UInt8](repeating: 0, count: grid.voxelCount)
    }

    /// A plausible pelvis on the 40×100×32 grid at 2 × 2 × 2.5 mm (body cut by the field at both
    /// sides): a 14.4 cc prostate in the middle (centroid row 19.5, column 49.5, slice 15.5) inside
    /// PTV70 (one voxel margin, dose 1.0 = 70 Gy), the rectum 22 mm posterior, the bladder 20 mm
    /// anterior and 22.5 mm superior, bowel above it, femurs 172 mm apart and 36 mm deep, sacrum
    /// bone 33 mm posterior in the midline.
    static func pelvis() -> SyntheticCase {
        var c = SyntheticCase()
        c.setCT(tissue, rows: 1..<39, columns: 0..<100, slices: 0..<32)
        c.paint(StructureChannel.prostate, rows: 14..<26, columns: 44..<56, slices: 11..<21)
        c.paint(StructureChannel.ptv70, rows: 13..<27, columns: 43..<57, slices: 10..<22)
        c.setDose(1.0, rows: 13..<27, columns: 43..<57, slices: 10..<22)
        c.paint(StructureChannel.rectum, rows: 28..<34, columns: 47..<53, slices: 8..<24)
        c.paint(StructureChannel.bladder, rows: 6..<14, columns: 44..<56, slices: 21..<29)
        c.paint(StructureChannel.bowel, rows: 3..<12, columns: 35..<65, slices: 29..<32)
        c.paint(StructureChannel.femurLeft, rows: 12..<30, columns: 91..<95, slices: 8..<18)
        c.paint(StructureChannel.femurRight, rows: 12..<30, columns: 5..<9, slices: 8..<18)
        c.setCT(bone, rows: 35..<38, columns: 48..<52, slices: 0..<32)
        return c
    }

    var metadata: MetadataValue {
        func entry(_ key: String, _ value: MetadataValue) -> MetadataEntry { MetadataEntry(key: .string(key), value: value) }
        var entries = [
            entry("case_id", .string("synthetic")),
            entry("voxel_spacing_mm", .tuple(spacingMM.map { .float($0) })),
            entry("volume_shape", .tuple(grid.dimensions.map { .int(Int64($0)) })),
            entry("normalization_dose_gy", .float(70)),
        ]
        for (key, value) in extraMetadata {
            entries.removeAll { $0.key == .string(key) }
            entries.append(entry(key, value))
        }
        return .dict(entries)
    }

    var facts: CaseFacts {
        var facts = CaseFacts(file: "synthetic.npz")
        func array(_ shape: [Int], _ kind: NPYScalarKind) -> CaseFacts.ArrayFacts {
            CaseFacts.ArrayFacts(storedDType: NPYDType(kind: kind, byteOrder: kind == .uint8 ? .notApplicable : .little), shape: shape,
                                 fortranOrder: false, sha256: "", values: ValueSummary())
        }
        facts.arrays = ["ct": array(grid.dimensions, .float32), "dose": array(grid.dimensions, .float32),
                        "masks": array([masks.count] + grid.dimensions, .uint8)]
        facts.memberOrder = ["ct", "masks", "dose", "metadata"]
        facts.metadataOutcome = .decoded(metadata)
        facts.channelVoxelCounts = masks.map { $0.reduce(0) { $0 + Int($1) } }
        var retained = RetainedVolumes()
        retained.ct = ct
        retained.dose = dose
        retained.masks = masks.flatMap { $0 }
        facts.adopt(retained)
        return facts
    }
}

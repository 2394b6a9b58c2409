import DoseCase

/// Tissue classes read from a case's `ct` (stored as `clip(HU, −1000, 3000)/4000 + 0.5`, spec
/// "Keys"), for the checks that look at anatomy: air outside the body, bone.
public struct CTTissue {
    /// Air and lung are below −400 HU; every soft tissue is above it.
    public static let airBelow: Float = stored(hu: -400)
    /// Bone: above 150 HU (`FemurLateralityCheck` uses the same level).
    static let boneAbove: Float = stored(hu: 150)
    /// A CT in which fewer voxels than this share read as air holds no air at all: raw pixel
    /// values (v2.2's defect, air near 24 "HU") or a crop inside the body. Tissue classes are then
    /// not trusted.
    static let minimumAirShare = 0.001

    static func stored(hu: Double) -> Float { Float(hu / 4000 + 0.5) }

    let ct: [Float]
    let grid: VolumeShape

    /// nil when the CT does not look like HU (no air anywhere), so its tissue classes would lie.
    init?(ct: [Float]?, grid: VolumeShape?) {
        guard let ct, let grid, ct.count == grid.voxelCount, !ct.isEmpty else { return nil }
        var air = 0
        for value in ct where value < Self.airBelow { air += 1 }
        guard Double(air) / Double(ct.count) >= Self.minimumAirShare else { return nil }
        self.ct = ct
        self.grid = grid
    }

    func isAir(_ voxel: Int) -> Bool { ct[voxel] < Self.airBelow }

    /// The mean row of bone voxels in the columns `columns` (clamped to the grid), leaving out the
    /// voxels `excluded` says belong elsewhere; nil when there is none.
    func meanBoneRow(columns: ClosedRange<Int>, excluded: (Int) -> Bool) -> Double? {
        let low = max(0, columns.lowerBound), high = min(grid.columns - 1, columns.upperBound)
        guard low <= high else { return nil }
        var rowSum = 0.0, count = 0
        ct.withUnsafeBufferPointer { ct in
            for row in 0..<grid.rows {
                for column in low...high {
                    let base = grid.offset(row: row, column: column, slice: 0)
                    for voxel in base..<(base + grid.slices) where ct[voxel] > Self.boneAbove && !excluded(voxel) {
                        rowSum += Double(row)
                        count += 1
                    }
                }
            }
        }
        return count == 0 ? nil : rowSum / Double(count)
    }

    /// The first and last columns holding tissue along one row of one slice: the body's lateral
    /// edges there. nil when the row is all air.
    func tissueColumns(row: Int, slice: Int) -> ClosedRange<Int>? {
        guard (0..<grid.rows).contains(row), (0..<grid.slices).contains(slice) else { return nil }
        let columns = (0..<grid.columns).filter { !isAir(grid.offset(row: row, column: $0, slice: slice)) }
        guard let first = columns.first, let last = columns.last else { return nil }
        return first...last
    }
}

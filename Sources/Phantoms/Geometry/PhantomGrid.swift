import DoseCase

/// Where a case's voxels sit in the phantom's patient frame: voxel (row, column, slice) has its
/// centre at `origin + (row·spacing.y, column·spacing.x, slice·spacing.z)` mm. Rows run posterior,
/// columns patient left, slices superior (`PatientAxes`).
public struct PhantomGrid: Sendable, Hashable {
    public let shape: VolumeShape
    /// Voxel size along (Y, X, Z) in mm.
    public let spacingMM: [Double]
    /// Centre of voxel (0, 0, 0).
    public let origin: Point3

    public init(shape: VolumeShape, spacingMM: [Double], origin: Point3) {
        self.shape = shape
        self.spacingMM = spacingMM
        self.origin = origin
    }

    public func position(row: Int, column: Int, slice: Int) -> Point3 {
        Point3(y: origin.y + Double(row) * spacingMM[0], x: origin.x + Double(column) * spacingMM[1],
               z: origin.z + Double(slice) * spacingMM[2])
    }

    /// The index ranges whose voxel centres can fall inside `box`, clamped to the grid.
    func indexRanges(of box: BoundingBox) -> (rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) {
        func range(_ lower: Double, _ upper: Double, _ start: Double, _ step: Double, _ count: Int) -> Range<Int> {
            let first = lower.isFinite ? Int(max(-1, ((lower - start) / step).rounded(.down))) : 0
            let last = upper.isFinite ? Int(min(Double(count), ((upper - start) / step).rounded(.up))) : count - 1
            let low = max(0, first), high = min(count, last + 1)
            return low < high ? low..<high : 0..<0
        }
        return (range(box.lower.y, box.upper.y, origin.y, spacingMM[0], shape.rows),
                range(box.lower.x, box.upper.x, origin.x, spacingMM[1], shape.columns),
                range(box.lower.z, box.upper.z, origin.z, spacingMM[2], shape.slices))
    }

    /// Calls `body(offset, position)` for every voxel whose centre may lie inside `box`.
    func forEachVoxel(in box: BoundingBox, _ body: (Int, Point3) -> Void) {
        let ranges = indexRanges(of: box)
        for row in ranges.rows {
            for column in ranges.columns {
                let base = shape.offset(row: row, column: column, slice: 0)
                for slice in ranges.slices {
                    body(base + slice, position(row: row, column: column, slice: slice))
                }
            }
        }
    }

    /// A mask with 1 on every voxel whose centre lies inside one of `solids`.
    func rasterize(_ solids: [Solid]) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: shape.voxelCount)
        for solid in solids {
            forEachVoxel(in: solid.bounds) { offset, point in
                if solid.contains(point) { mask[offset] = 1 }
            }
        }
        return mask
    }
}

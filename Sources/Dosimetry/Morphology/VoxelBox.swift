import DoseCase
import NumpyFormat

/// An axis-aligned block of voxels, half-open per axis (rows, columns, slices).
public struct VoxelBox: Sendable, Hashable {
    public var rows: Range<Int>
    public var columns: Range<Int>
    public var slices: Range<Int>

    public init(rows: Range<Int>, columns: Range<Int>, slices: Range<Int>) {
        self.rows = rows
        self.columns = columns
        self.slices = slices
    }

    public var shape: VolumeShape { VolumeShape(rows: rows.count, columns: columns.count, slices: slices.count) }

    /// The smallest box holding every non-zero voxel, or nil for an empty mask.
    public static func enclosing(_ mask: Volume<UInt8>) -> VoxelBox? {
        let shape = mask.shape
        var lower = [Int.max, Int.max, Int.max], upper = [-1, -1, -1]
        mask.elements.withUnsafeBufferPointer { voxels in
            for row in 0..<shape.rows {
                for column in 0..<shape.columns {
                    let base = shape.offset(row: row, column: column, slice: 0)
                    for slice in 0..<shape.slices where voxels[base + slice] != 0 {
                        lower = [min(lower[0], row), min(lower[1], column), min(lower[2], slice)]
                        upper = [max(upper[0], row), max(upper[1], column), max(upper[2], slice)]
                    }
                }
            }
        }
        guard upper[0] >= 0 else { return nil }
        return VoxelBox(rows: lower[0]..<(upper[0] + 1), columns: lower[1]..<(upper[1] + 1), slices: lower[2]..<(upper[2] + 1))
    }

    /// How many voxels along each axis a physical distance spans, rounded down (plus `extra`),
    /// clamped so that a tiny spacing read from a file cannot overflow `Int` (the box is clamped
    /// to the grid anyway).
    public static func reach(_ distanceMM: Double, spacingMM: [Double], roundingUp: Bool = false, extra: Int = 0) -> [Int] {
        spacingMM.map { spacing in
            let voxels = (distanceMM / spacing).rounded(roundingUp ? .up : .down)
            return voxels.isFinite && voxels < 1e9 ? Int(max(voxels, 0)) + extra : 1_000_000_000
        }
    }

    /// This box grown by `margins` voxels per axis (rows, columns, slices), clamped to `shape`.
    public func grown(by margins: [Int], within shape: VolumeShape) -> VoxelBox {
        func grow(_ range: Range<Int>, _ margin: Int, _ count: Int) -> Range<Int> {
            max(0, range.lowerBound - margin)..<min(count, range.upperBound + margin)
        }
        return VoxelBox(rows: grow(rows, margins[0], shape.rows), columns: grow(columns, margins[1], shape.columns),
                        slices: grow(slices, margins[2], shape.slices))
    }

    /// Calls `body(localOffset, offset)` for every voxel of the box, in C order: its offset inside
    /// the box and in the enclosing grid of `shape`.
    public func forEachVoxel(in shape: VolumeShape, _ body: (_ localOffset: Int, _ offset: Int) -> Void) {
        var local = 0
        for row in rows {
            for column in columns {
                let base = shape.offset(row: row, column: column, slice: 0)
                for slice in slices {
                    body(local, base + slice)
                    local += 1
                }
            }
        }
    }
}

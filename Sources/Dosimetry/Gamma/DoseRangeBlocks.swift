import DoseCase

/// The lowest and highest dose over blocks of the grid, so a gamma search can tell, without
/// interpolating, that no point in a box comes within a given dose of the reference.
///
/// Block b along an axis holds `cellsPerBlock` interpolation cells, i.e. voxels b·k … b·k + k:
/// every trilinear value inside them lies between the block's minimum and maximum.
struct DoseRangeBlocks: Sendable {
    /// One cell per block: the exact cell bounds prune far more than coarser blocks cost to read
    /// (2 cells per block made the full-size benchmark pair 16.5 s instead of 10 s).
    static let cellsPerBlock = 1

    let blockCounts: SIMD3<Int>
    let minimum: [Float]
    let maximum: [Float]

    init(dose: UnsafeBufferPointer<Float>, shape: VolumeShape) {
        let dimensions = shape.dimensions
        let counts = SIMD3(dimensions.map { Self.blockCount(voxels: $0) })
        var minimum = [Float](repeating: .infinity, count: counts[0] * counts[1] * counts[2])
        var maximum = [Float](repeating: -.infinity, count: minimum.count)
        // Each voxel lands in one or two blocks per axis (the shared edge voxel of two blocks).
        for row in 0..<shape.rows {
            let rowBlocks = Self.blocks(holding: row)
            for column in 0..<shape.columns {
                let columnBlocks = Self.blocks(holding: column)
                let base = shape.offset(row: row, column: column, slice: 0)
                for slice in 0..<shape.slices {
                    let value = dose[base + slice]
                    for rowBlock in rowBlocks where rowBlock < counts[0] {
                        for columnBlock in columnBlocks where columnBlock < counts[1] {
                            for sliceBlock in Self.blocks(holding: slice) where sliceBlock < counts[2] {
                                let index = (rowBlock * counts[1] + columnBlock) * counts[2] + sliceBlock
                                if value < minimum[index] { minimum[index] = value }
                                if value > maximum[index] { maximum[index] = value }
                            }
                        }
                    }
                }
            }
        }
        blockCounts = counts
        self.minimum = minimum
        self.maximum = maximum
    }

    /// A grid of one voxel along an axis still has one block (its single voxel).
    static func blockCount(voxels: Int) -> Int { max(1, (voxels - 1 + cellsPerBlock - 1) / cellsPerBlock) }

    /// The blocks whose voxel span includes `voxel`: voxel 2b+2 closes block b and opens b+1.
    @inline(__always)
    static func blocks(holding voxel: Int) -> ClosedRange<Int> {
        let block = voxel / cellsPerBlock
        return (voxel % cellsPerBlock == 0 && block > 0 ? block - 1 : block)...block
    }
}

import DoseCase

/// The lowest and highest evaluated dose of each interpolation cell (the eight voxels at its
/// corners): every trilinear value inside the cell lies between them, so a gamma search can rule
/// out a cell's samples without interpolating them.
///
/// Cell (i, j, k) spans voxels i…i+1, j…j+1, k…k+1; an axis of n voxels has max(1, n − 1) cells
/// (a one-voxel axis has one cell, its voxel).
struct DoseCellRanges: Sendable {
    let cellCounts: SIMD3<Int>
    /// (minimum, maximum) per cell, cell (i, j, k) at (i·cells₁ + j)·cells₂ + k: both bounds in one
    /// load.
    let ranges: [SIMD2<Float>]

    init(dose: UnsafeBufferPointer<Float>, shape: VolumeShape) {
        let counts = SIMD3(max(1, shape.rows - 1), max(1, shape.columns - 1), max(1, shape.slices - 1))
        let planeCells = counts.y * counts.z
        var ranges = [SIMD2<Float>](repeating: .zero, count: counts.x * planeCells)
        // One plane of voxels reduced over its columns and slices, two planes at a time.
        func planeRanges(_ row: Int) -> [SIMD2<Float>] {
            var plane = [SIMD2<Float>](repeating: .zero, count: planeCells)
            for cellColumn in 0..<counts.y {
                let left = shape.offset(row: row, column: cellColumn, slice: 0)
                let right = shape.offset(row: row, column: min(cellColumn + 1, shape.columns - 1), slice: 0)
                for cellSlice in 0..<counts.z {
                    let next = min(cellSlice + 1, shape.slices - 1)
                    let a = dose[left + cellSlice], b = dose[left + next], c = dose[right + cellSlice], d = dose[right + next]
                    plane[cellColumn * counts.z + cellSlice] = SIMD2(min(min(a, b), min(c, d)), max(max(a, b), max(c, d)))
                }
            }
            return plane
        }
        var lower = planeRanges(0)
        for cellRow in 0..<counts.x {
            let upper = planeRanges(min(cellRow + 1, shape.rows - 1))
            let base = cellRow * planeCells
            for index in 0..<planeCells {
                ranges[base + index] = SIMD2(min(lower[index].x, upper[index].x), max(lower[index].y, upper[index].y))
            }
            lower = upper
        }
        cellCounts = counts
        self.ranges = ranges
    }
}

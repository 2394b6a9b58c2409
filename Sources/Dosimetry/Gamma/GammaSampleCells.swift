import CGammaKernel

/// The search pattern's samples grouped by the interpolation cell they fall in, relative to the
/// reference voxel: a reference point sits on a voxel, so on a regular grid an offset lands in the
/// same relative cell, at the same position inside it, for every point. A search then reads a
/// cell's dose range once to rule out all its samples, and its eight corners once to interpolate
/// them.
///
/// Cells are ordered by their nearest sample, and each cell's samples by distance, so a search
/// that has found gamma g stops at the first cell whose nearest sample has r/DTA ≥ g — pymedphys'
/// own stopping rule, applied cell by cell.
struct GammaSampleCells: Sendable {
    struct Cell: Sendable {
        /// Relative to the reference voxel's cell (the cell whose lower corner is the voxel).
        let offset: SIMD3<Int>
        /// Indices into the sample arrays, padded to a multiple of `padding` with samples at w = +∞.
        let samples: Range<Int>
        /// (r/DTA)² of the cell's nearest sample.
        let nearestDistanceTerm: Double
    }

    /// The vector kernel reads 8 samples at a time.
    static let padding = 8

    let cells: [Cell]
    /// Per sample (structure of arrays, for the vector kernel): its position inside its cell in cell
    /// units (0…1 per axis) and (r/DTA)², ascending within each cell.
    let x: [Double]
    let y: [Double]
    let z: [Double]
    let w: [Double]
    /// Per sample, in the same order: its offset in mm, for points whose search leaves the grid.
    let offsetsMM: [SIMD3<Double>]
    /// The lowest and highest relative cell along each axis.
    let lowestCell: SIMD3<Int>
    let highestCell: SIMD3<Int>

    init(pattern: GammaSearchPattern, criteria: GammaCriteria, spacingMM: SIMD3<Double>) {
        struct Sample {
            let cell: SIMD3<Int>
            let position: SIMD3<Double>
            let distanceTerm: Double
            let offset: SIMD3<Double>
        }
        var sorted: [Sample] = []
        sorted.reserveCapacity(pattern.pointCount)
        for shell in pattern.shells {
            let distanceTerm = shell.radiusMM / criteria.distanceMM
            for offset in pattern.offsets[shell.points] {
                let scaled = offset / spacingMM
                let floor = scaled.rounded(.down)
                sorted.append(Sample(cell: SIMD3(Int(floor.x), Int(floor.y), Int(floor.z)), position: scaled - floor,
                                     distanceTerm: distanceTerm * distanceTerm, offset: offset))
            }
        }
        func key(_ cell: SIMD3<Int>) -> (Int, Int, Int) { (cell.x, cell.y, cell.z) }
        sorted.sort { key($0.cell) != key($1.cell) ? key($0.cell) < key($1.cell) : $0.distanceTerm < $1.distanceTerm }
        var cells: [Cell] = []
        var x: [Double] = [], y: [Double] = [], z: [Double] = [], w: [Double] = [], offsetsMM: [SIMD3<Double>] = []
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end].cell == sorted[start].cell { end += 1 }
            let first = w.count
            for sample in sorted[start..<end] {
                x.append(sample.position.x)
                y.append(sample.position.y)
                z.append(sample.position.z)
                w.append(sample.distanceTerm)
                offsetsMM.append(sample.offset)
            }
            while w.count % Self.padding != 0 {
                x.append(0)
                y.append(0)
                z.append(0)
                w.append(.infinity)
                offsetsMM.append(.zero)
            }
            cells.append(Cell(offset: sorted[start].cell, samples: first..<w.count, nearestDistanceTerm: sorted[start].distanceTerm))
            start = end
        }
        cells.sort { $0.nearestDistanceTerm != $1.nearestDistanceTerm ? $0.nearestDistanceTerm < $1.nearestDistanceTerm : key($0.offset) < key($1.offset) }
        self.cells = cells
        self.x = x
        self.y = y
        self.z = z
        self.w = w
        self.offsetsMM = offsetsMM
        lowestCell = sorted.reduce(SIMD3(repeating: Int.max)) { pointwiseMin($0, $1.cell) }
        highestCell = sorted.reduce(SIMD3(repeating: Int.min)) { pointwiseMax($0, $1.cell) }
    }

    /// The sample arrays as pointers, for the search's hot loop.
    struct Borrowed: @unchecked Sendable {
        let x: UnsafePointer<Double>
        let y: UnsafePointer<Double>
        let z: UnsafePointer<Double>
        let w: UnsafePointer<Double>
        let offsetsMM: UnsafePointer<SIMD3<Double>>

        /// One cell's samples, for the kernel.
        func cell(_ range: Range<Int>) -> dosecurate_gamma_samples {
            let first = range.lowerBound
            return dosecurate_gamma_samples(x: x + first, y: y + first, z: z + first, w: w + first, count: range.count)
        }
    }

    func withSamples<Result>(_ body: (Borrowed) throws -> Result) rethrows -> Result {
        try x.withUnsafeBufferPointer { x in
            try y.withUnsafeBufferPointer { y in
                try z.withUnsafeBufferPointer { z in
                    try w.withUnsafeBufferPointer { w in
                        try offsetsMM.withUnsafeBufferPointer { offsets in
                            // Never empty: every pattern has its r = 0 sample.
                            try body(Borrowed(x: x.baseAddress.unsafelyUnwrapped, y: y.baseAddress.unsafelyUnwrapped, z: z.baseAddress.unsafelyUnwrapped,
                                              w: w.baseAddress.unsafelyUnwrapped, offsetsMM: offsets.baseAddress.unsafelyUnwrapped))
                        }
                    }
                }
            }
        }
    }
}

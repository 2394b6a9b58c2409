import DoseCase
import NumpyFormat
import Dispatch
import Foundation

/// The 3D gamma index of an evaluated dose (a prediction) against a reference dose (the ground
/// truth) on the reference grid, as pymedphys 0.41 computes it (spec, dosimetry.md "Gamma index"),
/// in a fraction of its time:
///
/// - the same sample points (`GammaSearchPattern`) and trilinear interpolation of the evaluated
///   dose, with points outside the grid ignored;
/// - the same early stop: a point stops searching once r/DTA reaches its best gamma;
/// - shells and groups of shell points are skipped only when a bound on the evaluated dose around
///   them (`DoseRangeBlocks`) proves they cannot lower the minimum, so the result is unchanged;
/// - reference points are split between threads; each point's search is independent, so the map
///   is the same whatever the thread count.
///
/// With `passRateOnly`, a point's search answers only "γ ≤ 1?": shells beyond the DTA (r/DTA > 1)
/// cannot pass and are not searched, samples whose dose difference proves γ > 1 are skipped by the
/// same bounds, and a point stops at the first group of samples that passes. Passing points hold
/// a γ ≤ 1 found on the way (not always their minimum), failing points +∞; the pass rate and
/// the evaluated voxels equal the full map's.
public enum GammaIndex {
    /// Gamma of every reference voxel at or above the cutoff; NaN elsewhere. Axes are
    /// `index · spacing` (mm) on both doses. With `subsample` k, both grids are first decimated to
    /// `x[::k, ::k, ::k]` (the old pipeline's shortcut) and the map has the decimated shape.
    public static func compute(reference: Volume<Float>, evaluation: Volume<Float>, spacingMM: [Double],
                               criteria: GammaCriteria = .historic, subsample: Int = 1, workers: Int = 2,
                               passRateOnly: Bool = false) throws -> GammaMap {
        let criteria = try criteria.validated()
        guard reference.shape == evaluation.shape else {
            throw GammaError.gridMismatch(reference: reference.shape.description, evaluation: evaluation.shape.description)
        }
        guard spacingMM.count == 3, spacingMM.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GammaError.invalidSpacing(found: spacingMM) }
        guard subsample >= 1 else { throw GammaError.invalidSubsample(found: subsample) }
        let referenceGrid = decimate(reference, by: subsample), evaluationGrid = decimate(evaluation, by: subsample)
        let spacing = spacingMM.map { $0 * Double(subsample) }
        let pattern = GammaSearchPattern(criteria: criteria, spacingMM: spacing)
        let shape = referenceGrid.shape
        var gamma = [Float](repeating: .nan, count: shape.voxelCount)
        let globalMaximum = Double(referenceGrid.elements.max() ?? 0)
        referenceGrid.elements.withUnsafeBufferPointer { referenceDose in
            evaluationGrid.elements.withUnsafeBufferPointer { evaluationDose in
                let blocks = DoseRangeBlocks(dose: evaluationDose, shape: shape)
                blocks.minimum.withUnsafeBufferPointer { blockMinimum in
                    blocks.maximum.withUnsafeBufferPointer { blockMaximum in
                        pattern.offsets.withUnsafeBufferPointer { offsets in
                          pattern.groups.withUnsafeBufferPointer { groups in
                           pattern.sectors.withUnsafeBufferPointer { sectors in
                            gamma.withUnsafeMutableBufferPointer { output in
                                let search = ShellSearch(
                                    criteria: criteria, pattern: pattern, offsets: offsets, sectors: sectors, groups: groups, shape: shape, spacing: spacing,
                                    globalMaximum: globalMaximum, reference: referenceDose, evaluation: evaluationDose,
                                    blockCounts: blocks.blockCounts, blockMinimum: blockMinimum, blockMaximum: blockMaximum,
                                    passRateOnly: passRateOnly)
                                nonisolated(unsafe) let sharedOutput = output
                                // Rows are handed out one at a time, so a slow region does not idle the other core.
                                let rowCount = shape.rows
                                DispatchQueue.concurrentPerform(iterations: max(1, min(workers, rowCount))) { worker in
                                    var row = worker
                                    let lanes = max(1, min(workers, rowCount))
                                    while row < rowCount {
                                        search.gammaOfRow(row, into: sharedOutput)
                                        row += lanes
                                    }
                                }
                            }
                           }
                          }
                        }
                    }
                }
            }
        }
        return GammaMap(shape: shape, spacingMM: spacing, subsample: subsample, criteria: criteria, values: gamma, passRateOnly: passRateOnly)
    }

    /// `x[::k, ::k, ::k]`.
    static func decimate<Element: NPYElement>(_ volume: Volume<Element>, by step: Int) -> Volume<Element> {
        guard step > 1 else { return volume }
        let shape = volume.shape
        let reduced = VolumeShape(rows: (shape.rows + step - 1) / step, columns: (shape.columns + step - 1) / step,
                                  slices: (shape.slices + step - 1) / step)
        var elements: [Element] = []
        elements.reserveCapacity(reduced.voxelCount)
        for row in stride(from: 0, to: shape.rows, by: step) {
            for column in stride(from: 0, to: shape.columns, by: step) {
                let base = shape.offset(row: row, column: column, slice: 0)
                for slice in stride(from: 0, to: shape.slices, by: step) { elements.append(volume.elements[base + slice]) }
            }
        }
        // The count matches `reduced` by construction.
        return (try? Volume(shape: reduced, elements: elements)) ?? volume
    }
}

/// One reference point's search, over borrowed buffers: the hot loop of the gamma index, kept as
/// plain arithmetic on pointers (it runs ~10⁹ interpolations on a full-size case).
private struct ShellSearch: @unchecked Sendable {
    let criteria: GammaCriteria
    let pattern: GammaSearchPattern
    let offsets: UnsafeBufferPointer<SIMD3<Double>>
    let sectors: UnsafeBufferPointer<GammaSearchPattern.Region>
    let groups: UnsafeBufferPointer<GammaSearchPattern.Region>
    let groupCellRanges: [Range<Int>]
    let shape: VolumeShape
    let spacing: SIMD3<Double>
    let upperMM: SIMD3<Double>
    let globalMaximum: Double
    let cutoff: Double
    let doseFraction: Double
    let reference: UnsafeBufferPointer<Float>
    let evaluation: UnsafeBufferPointer<Float>
    let counts: SIMD3<Int>
    let inverseSpacing: SIMD3<Double>
    /// 1 / (block edge in mm): a block spans `DoseRangeBlocks.cellsPerBlock` cells.
    let inverseBlockMM: SIMD3<Double>
    /// The last cell's lower corner per axis (0 on a one-voxel axis).
    let lastCell: SIMD3<Int>
    /// Offsets to a cell's upper corner along each axis (0 on a one-voxel axis).
    let cornerStride: SIMD3<Int>
    let blockCounts: SIMD3<Int>
    /// Each group's cells as offsets into the block arrays from the reference voxel's own cell.
    let groupCellOffsets: [Int]
    /// Each offset's cell as an offset into the block arrays from the reference voxel's own cell;
    /// `Int.min` when the offset could lie in either of two cells.
    let sampleCellOffsets: [Int]
    /// How many cells the search reaches from its reference voxel along each axis.
    let cellReach: SIMD3<Int>
    let blockMinimum: UnsafeBufferPointer<Float>
    let blockMaximum: UnsafeBufferPointer<Float>
    /// For interior reference voxels, where every sample lands inside the grid: each offset's
    /// interpolation cell as an index offset into the evaluated dose from the voxel's own index,
    /// and its eight trilinear weights (corner order 000, 001, 010, 011, 100, …). A reference
    /// point sits on a voxel, so these are the same for every interior point: the hot loop is
    /// eight loads and multiply-adds instead of locating the cell again for every sample.
    let sampleCorner: [Int]
    let sampleWeights: [Double]
    /// Answer only whether γ ≤ 1 (`GammaIndex`).
    let passRateOnly: Bool

    init(criteria: GammaCriteria, pattern: GammaSearchPattern, offsets: UnsafeBufferPointer<SIMD3<Double>>,
         sectors: UnsafeBufferPointer<GammaSearchPattern.Region>, groups: UnsafeBufferPointer<GammaSearchPattern.Region>, shape: VolumeShape,
         spacing: [Double], globalMaximum: Double, reference: UnsafeBufferPointer<Float>, evaluation: UnsafeBufferPointer<Float>,
         blockCounts: SIMD3<Int>, blockMinimum: UnsafeBufferPointer<Float>, blockMaximum: UnsafeBufferPointer<Float>, passRateOnly: Bool) {
        self.passRateOnly = passRateOnly
        self.criteria = criteria
        self.pattern = pattern
        self.offsets = offsets
        self.sectors = sectors
        self.groups = groups
        groupCellRanges = pattern.groupCellRanges
        self.shape = shape
        counts = SIMD3(shape.rows, shape.columns, shape.slices)
        inverseSpacing = SIMD3(1 / spacing[0], 1 / spacing[1], 1 / spacing[2])
        inverseBlockMM = inverseSpacing / Double(DoseRangeBlocks.cellsPerBlock)
        lastCell = SIMD3(max(shape.rows - 2, 0), max(shape.columns - 2, 0), max(shape.slices - 2, 0))
        cornerStride = SIMD3(shape.rows > 1 ? shape.columns * shape.slices : 0, shape.columns > 1 ? shape.slices : 0, shape.slices > 1 ? 1 : 0)
        self.spacing = SIMD3(spacing[0], spacing[1], spacing[2])
        // pymedphys' axes are `arange(n) * spacing`: the last coordinate is (n − 1)·spacing.
        upperMM = SIMD3(Double(shape.rows - 1) * spacing[0], Double(shape.columns - 1) * spacing[1], Double(shape.slices - 1) * spacing[2])
        self.globalMaximum = globalMaximum
        cutoff = criteria.lowerDoseCutoffPercent / 100 * globalMaximum
        doseFraction = criteria.dosePercent / 100
        self.reference = reference
        self.evaluation = evaluation
        self.blockCounts = blockCounts
        groupCellOffsets = pattern.groupCells.map { ($0.x * blockCounts.y + $0.y) * blockCounts.z + $0.z }
        sampleCellOffsets = pattern.sampleCells.map { cell in cell.map { ($0.x * blockCounts.y + $0.y) * blockCounts.z + $0.z } ?? Int.min }
        cellReach = pattern.groupCells.reduce(SIMD3<Int>(repeating: 0)) { reach, cell in pointwiseMax(reach, SIMD3(abs(cell.x), abs(cell.y), abs(cell.z))) }
        self.blockMinimum = blockMinimum
        self.blockMaximum = blockMaximum
        var corners = [Int](repeating: 0, count: offsets.count), weights = [Double](repeating: 0, count: 8 * offsets.count)
        for (index, offset) in offsets.enumerated() {
            let position = SIMD3(offset.x / spacing[0], offset.y / spacing[1], offset.z / spacing[2])
            let cell = SIMD3(Int(position.x.rounded(.down)), Int(position.y.rounded(.down)), Int(position.z.rounded(.down)))
            let fraction = position - SIMD3(Double(cell.x), Double(cell.y), Double(cell.z))
            corners[index] = (cell.x * counts.y + cell.y) * counts.z + cell.z
            for corner in 0..<8 {
                let wx = corner & 4 != 0 ? fraction.x : 1 - fraction.x
                let wy = corner & 2 != 0 ? fraction.y : 1 - fraction.y
                let wz = corner & 1 != 0 ? fraction.z : 1 - fraction.z
                weights[8 * index + corner] = wx * wy * wz
            }
        }
        sampleCorner = corners
        sampleWeights = weights
    }

    func gammaOfRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>) {
        sampleCorner.withUnsafeBufferPointer { corners in
            sampleWeights.withUnsafeBufferPointer { weights in
                sampleCellOffsets.withUnsafeBufferPointer { sampleCells in
                    gammaOfRow(row, into: output, tables: .init(corners: corners, weights: weights, sampleCells: sampleCells))
                }
            }
        }
    }

    /// The per-offset tables of the interior fast path, borrowed once per row.
    struct Tables {
        let corners: UnsafeBufferPointer<Int>
        let weights: UnsafeBufferPointer<Double>
        let sampleCells: UnsafeBufferPointer<Int>
    }

    private func gammaOfRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>, tables: Tables) {
        for column in 0..<shape.columns {
            let base = shape.offset(row: row, column: column, slice: 0)
            for slice in 0..<shape.slices {
                let referenceDose = Double(reference[base + slice])
                // pymedphys evaluates reference points with dose ≥ cutoff; local gamma needs a dose to divide by.
                guard referenceDose >= cutoff, criteria.normalisation == .global || referenceDose > 0 else { continue }
                let point = SIMD3(Double(row) * spacing[0], Double(column) * spacing[1], Double(slice) * spacing[2])
                let voxel = SIMD3(row, column, slice)
                // Cells relative to the voxel stay on the grid: exact cell bounds; near the faces, box bounds.
                let interior = all(voxel &- cellReach .>= SIMD3<Int>(repeating: 0)) && all(voxel &+ cellReach .< blockCounts)
                let gamma = gammaAt(point, referenceDose: referenceDose, voxelIndex: base + slice,
                                    cellBase: interior ? (row * blockCounts.y + column) * blockCounts.z + slice : nil, tables: tables)
                if passRateOnly {
                    // The point's own sample always lies on the grid, so the full map evaluates every
                    // point at or above the cutoff; here a point with nothing passing within the DTA fails.
                    let capped = min(gamma, criteria.maxGamma)
                    output[base + slice] = capped <= 1 ? Self.roundedUp(capped) : .infinity
                } else {
                    // As pymedphys reports: capped at max_gamma; a point with no sample at all stays unevaluated.
                    output[base + slice] = gamma.isFinite ? Self.roundedUp(min(gamma, criteria.maxGamma)) : .nan
                }
            }
        }
    }

    /// float32 storage halves the map's memory; rounding up keeps `γ ≤ 1` exactly as in float64
    /// (a gamma of 1.00000003 must not round down to 1 and pass).
    static func roundedUp(_ gamma: Double) -> Float {
        let stored = Float(gamma)
        return Double(stored) < gamma ? stored.nextUp : stored
    }

    /// The gamma of one reference point: the minimum of √((|Δdose|/ΔD)² + (r/DTA)²) over the
    /// sample points pymedphys visits, shell by shell until r/DTA reaches the best so far.
    @inline(__always)
    private func gammaAt(_ point: SIMD3<Double>, referenceDose: Double, voxelIndex: Int, cellBase: Int?, tables: Tables) -> Double {
        let normalisation = criteria.normalisation == .global ? globalMaximum : referenceDose
        let doseCriterion = normalisation * doseFraction
        func gamma(difference: Double, distanceTerm: Double) -> Double {
            // pymedphys' arithmetic: relative difference, divided by the dose fraction, squared.
            let doseTerm = difference / normalisation / doseFraction
            return (doseTerm * doseTerm + distanceTerm * distanceTerm).squareRoot()
        }
        // Every point passes when γ is capped at or below 1.
        if passRateOnly && criteria.maxGamma <= 1 { return criteria.maxGamma }
        var best = Double.infinity
        for shell in pattern.shells {
            let distanceTerm = shell.radiusMM / criteria.distanceMM
            // pymedphys keeps searching while best > r/DTA; a shell at or beyond that cannot lower best.
            guard best > distanceTerm else { break }
            // Beyond the DTA every γ exceeds 1: nothing there can make the point pass.
            if passRateOnly && distanceTerm > 1 { break }
            // The shell lowers best only with a dose difference below this; when only passing
            // matters, only with one that gives γ ≤ 1.
            let cap = passRateOnly ? min(best, 1) : best
            let limit = cap.isFinite ? doseCriterion * (cap * cap - distanceTerm * distanceTerm).squareRoot() : .infinity
            // One test for the whole shell before its octants and groups.
            if limit.isFinite, !mayContain(referenceDose - limit, referenceDose + limit,
                                           lower: point - shell.radiusMM, upper: point + shell.radiusMM) { continue }
            var smallest = Double.infinity
            for sectorIndex in shell.sectors {
                let sector = sectors[sectorIndex]
                if limit.isFinite || smallest.isFinite {
                    let bound = min(limit, smallest)
                    if !mayContain(referenceDose - bound, referenceDose + bound, lower: point + sector.lowerMM, upper: point + sector.upperMM) { continue }
                }
                for groupIndex in sector.members {
                    let group = groups[groupIndex]
                    let bound = min(limit, smallest)
                    if bound.isFinite {
                        if let cellBase {
                            if !cellsMayContain(referenceDose - bound, referenceDose + bound, base: cellBase, cells: groupCellRanges[groupIndex]) { continue }
                        } else if !mayContain(referenceDose - bound, referenceDose + bound, lower: point + group.lowerMM, upper: point + group.upperMM) {
                            continue
                        }
                    }
                    guard let cellBase else {
                        for index in group.members {
                            let offset = offsets[index]
                            let difference = abs(interpolate(point.x + offset.x, point.y + offset.y, point.z + offset.z) - referenceDose)
                            if difference < smallest { smallest = difference }
                        }
                        continue
                    }
                    // Interior points first ask each sample's own cell whether it can come close
                    // enough, against float bounds widened by one ulp (never stricter than exact).
                    let minimum = blockMinimum.baseAddress.unsafelyUnwrapped + cellBase, maximum = blockMaximum.baseAddress.unsafelyUnwrapped + cellBase
                    let weights = tables.weights.baseAddress.unsafelyUnwrapped
                    var high = Float(referenceDose + bound).nextUp, low = Float(referenceDose - bound).nextDown
                    for index in group.members {
                        let cell = tables.sampleCells[index]
                        if cell != Int.min, minimum[cell] > high || maximum[cell] < low { continue }
                        let difference = abs(interpolateInterior(voxelIndex &+ tables.corners[index], weights: weights + 8 &* index) - referenceDose)
                        if difference < smallest {
                            smallest = difference
                            let tighter = min(limit, smallest)
                            high = Float(referenceDose + tighter).nextUp
                            low = Float(referenceDose - tighter).nextDown
                        }
                    }
                    if passRateOnly, smallest.isFinite, gamma(difference: smallest, distanceTerm: distanceTerm) <= 1 {
                        return gamma(difference: smallest, distanceTerm: distanceTerm)
                    }
                }
            }
            guard smallest.isFinite else { continue }
            best = min(best, gamma(difference: smallest, distanceTerm: distanceTerm))
            if passRateOnly && best <= 1 { return best }
        }
        return best
    }

    /// Whether any trilinear value of the evaluated dose in the box [lower, upper] (mm) can lie
    /// strictly between `low` and `high`, from the dose ranges of the blocks the box touches.
    @inline(__always)
    private func mayContain(_ low: Double, _ high: Double, lower: SIMD3<Double>, upper: SIMD3<Double>) -> Bool {
        guard upper.x >= 0, upper.y >= 0, upper.z >= 0, lower.x <= upperMM.x, lower.y <= upperMM.y, lower.z <= upperMM.z else { return false }
        // A coordinate c lies in cell ⌊c/s⌋, which block ⌊c/(k·s)⌋ covers; clamping keeps the grid's far faces in the last block.
        let lastBlock = blockCounts &- 1
        let firstX = min(Int(max(lower.x, 0) * inverseBlockMM.x), lastBlock.x), lastX = min(Int(min(upper.x, upperMM.x) * inverseBlockMM.x), lastBlock.x)
        let firstY = min(Int(max(lower.y, 0) * inverseBlockMM.y), lastBlock.y), lastY = min(Int(min(upper.y, upperMM.y) * inverseBlockMM.y), lastBlock.y)
        let firstZ = min(Int(max(lower.z, 0) * inverseBlockMM.z), lastBlock.z), lastZ = min(Int(min(upper.z, upperMM.z) * inverseBlockMM.z), lastBlock.z)
        let minimum = blockMinimum.baseAddress.unsafelyUnwrapped, maximum = blockMaximum.baseAddress.unsafelyUnwrapped
        let lowFloat = Float(low).nextDown, highFloat = Float(high).nextUp
        for rowBlock in firstX...lastX {
            for columnBlock in firstY...lastY {
                let base = (rowBlock * blockCounts.y + columnBlock) * blockCounts.z
                for sliceBlock in firstZ...lastZ where minimum[base + sliceBlock] < highFloat && maximum[base + sliceBlock] > lowFloat {
                    return true
                }
            }
        }
        return false
    }

    /// Whether any of the listed cells (offsets from `base`) has a dose range reaching strictly
    /// between `low` and `high`.
    @inline(__always)
    private func cellsMayContain(_ low: Double, _ high: Double, base: Int, cells: Range<Int>) -> Bool {
        let minimum = blockMinimum.baseAddress.unsafelyUnwrapped + base, maximum = blockMaximum.baseAddress.unsafelyUnwrapped + base
        let lowFloat = Float(low).nextDown, highFloat = Float(high).nextUp
        for cell in cells {
            let offset = groupCellOffsets[cell]
            if minimum[offset] < highFloat && maximum[offset] > lowFloat { return true }
        }
        return false
    }

    /// Trilinear interpolation with the cell and weights known: `corner` is the cell's lower
    /// corner in the evaluated dose.
    @inline(__always)
    private func interpolateInterior(_ corner: Int, weights w: UnsafePointer<Double>) -> Double {
        let e = evaluation.baseAddress.unsafelyUnwrapped + corner
        let sx = cornerStride.x, sy = cornerStride.y, sz = cornerStride.z
        let low = w[0] * Double(e[0]) + w[1] * Double(e[sz]) + w[2] * Double(e[sy]) + w[3] * Double(e[sy + sz])
        let high = w[4] * Double(e[sx]) + w[5] * Double(e[sx + sz]) + w[6] * Double(e[sx + sy]) + w[7] * Double(e[sx + sy + sz])
        return low + high
    }

    /// pymedphys' `_interp_linear_3d`: NaN outside [0, (n − 1)·spacing] on any axis, so a point
    /// off the grid never becomes the minimum (every comparison with NaN is false). Scalar code
    /// with precomputed strides: this runs ~10⁹ times on a full-size case.
    @inline(__always)
    private func interpolate(_ x: Double, _ y: Double, _ z: Double) -> Double {
        guard x >= 0, x <= upperMM.x, y >= 0, y <= upperMM.y, z >= 0, z <= upperMM.z else { return .nan }
        let fx = x * inverseSpacing.x, fy = y * inverseSpacing.y, fz = z * inverseSpacing.z
        let ix = min(Int(fx), lastCell.x), iy = min(Int(fy), lastCell.y), iz = min(Int(fz), lastCell.z)
        let wx = fx - Double(ix), wy = fy - Double(iy), wz = fz - Double(iz)
        let base = evaluation.baseAddress.unsafelyUnwrapped + ((ix * counts.y + iy) * counts.z + iz)
        let sx = cornerStride.x, sy = cornerStride.y, sz = cornerStride.z
        let c00 = Double(base[0]) * (1 - wx) + Double(base[sx]) * wx
        let c01 = Double(base[sz]) * (1 - wx) + Double(base[sx + sz]) * wx
        let c10 = Double(base[sy]) * (1 - wx) + Double(base[sx + sy]) * wx
        let c11 = Double(base[sy + sz]) * (1 - wx) + Double(base[sx + sy + sz]) * wx
        let c0 = c00 * (1 - wy) + c10 * wy
        let c1 = c01 * (1 - wy) + c11 * wy
        return c0 * (1 - wz) + c1 * wz
    }
}


import CGammaKernel
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
/// - the same result: a point's gamma is the minimum over those samples, and pymedphys' early stop
///   never changes it, so the samples can be visited in any order. They are visited cell by cell
///   (`GammaSampleCells`), nearest first, starting from the sample where the previous point of the
///   row found its minimum (neighbours' minima lie close together), so a point soon holds a good
///   gamma; a cell is skipped when its dose range (`DoseCellRanges`) proves none of its samples can
///   go below it, and the search stops at the first cell whose nearest sample is too far to;
/// - a point's search stops at max_gamma, the most the map reports;
/// - reference rows are split between threads; each point's result is independent of the order,
///   so the map is the same whatever the thread count.
///
/// With `passRateOnly`, a point's search answers only "γ ≤ 1?": it looks only for samples with
/// γ ≤ 1 and stops at the first. Passing points hold that γ (not always their minimum), failing
/// points +∞; the pass rate and the evaluated voxels equal the full map's.
public enum GammaIndex {
    /// The implementations of the inner loop (`CGammaKernel`), narrowest first.
    public enum Kernel: Int, CaseIterable, Sendable {
        case scalar, avx2, avx512

        /// The widest one this CPU runs.
        public static var fastest: Kernel { Kernel(rawValue: Int(dosecurate_gamma_fastest_kernel().rawValue)) ?? .scalar }

        var native: dosecurate_gamma_kernel { dosecurate_gamma_kernel(rawValue: UInt32(rawValue)) }
    }

    /// Gamma of every reference voxel at or above the cutoff; NaN elsewhere. Axes are
    /// `index · spacing` (mm) on both doses. With `subsample` k, both grids are first decimated to
    /// `x[::k, ::k, ::k]` (the old pipeline's shortcut) and the map has the decimated shape. A
    /// `kernel` wider than the CPU runs falls back to the fastest it does.
    public static func compute(reference: Volume<Float>, evaluation: Volume<Float>, spacingMM: [Double],
                               criteria: GammaCriteria = .historic, subsample: Int = 1, workers: Int = 2,
                               passRateOnly: Bool = false, kernel: Kernel = .fastest) throws -> GammaMap {
        let criteria = try criteria.validated()
        guard reference.shape == evaluation.shape else {
            throw GammaError.gridMismatch(reference: reference.shape.description, evaluation: evaluation.shape.description)
        }
        guard spacingMM.count == 3, spacingMM.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GammaError.invalidSpacing(found: spacingMM) }
        guard subsample >= 1 else { throw GammaError.invalidSubsample(found: subsample) }
        let referenceGrid = decimate(reference, by: subsample), evaluationGrid = decimate(evaluation, by: subsample)
        let spacing = SIMD3(spacingMM[0], spacingMM[1], spacingMM[2]) * Double(subsample)
        let table = GammaSampleCells(pattern: GammaSearchPattern(criteria: criteria), criteria: criteria, spacingMM: spacing)
        let shape = referenceGrid.shape
        var gamma = [Float](repeating: .nan, count: shape.voxelCount)
        let globalMaximum = Double(referenceGrid.elements.max() ?? 0)
        referenceGrid.elements.withUnsafeBufferPointer { referenceDose in
            evaluationGrid.elements.withUnsafeBufferPointer { evaluationDose in
                let cellRanges = DoseCellRanges(dose: evaluationDose, shape: shape)
                cellRanges.ranges.withUnsafeBufferPointer { ranges in
                    table.withSamples { samples in
                        gamma.withUnsafeMutableBufferPointer { output in
                            let search = CellSearch(
                                criteria: criteria, table: table, samples: samples, shape: shape, spacing: spacing, globalMaximum: globalMaximum,
                                reference: referenceDose, evaluation: evaluationDose, cellCounts: cellRanges.cellCounts, cellRanges: ranges,
                                passRateOnly: passRateOnly, kernel: kernel.native)
                            nonisolated(unsafe) let sharedOutput = output
                            // Rows are handed out in turn, so a slow region does not idle the other core.
                            let lanes = max(1, min(workers, shape.rows))
                            DispatchQueue.concurrentPerform(iterations: lanes) { worker in
                                for row in stride(from: worker, to: shape.rows, by: lanes) { search.gammaOfRow(row, into: sharedOutput) }
                            }
                        }
                    }
                }
            }
        }
        return GammaMap(shape: shape, spacingMM: [spacing.x, spacing.y, spacing.z], subsample: subsample, criteria: criteria, values: gamma,
                        passRateOnly: passRateOnly)
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

/// One row of reference points searched over borrowed buffers: the hot loop of the gamma index,
/// kept as plain arithmetic on pointers.
private struct CellSearch: @unchecked Sendable {
    let criteria: GammaCriteria
    let cells: [GammaSampleCells.Cell]
    let samples: GammaSampleCells.Borrowed
    let shape: VolumeShape
    let spacing: SIMD3<Double>
    let upperMM: SIMD3<Double>
    let inverseSpacing: SIMD3<Double>
    let globalMaximum: Double
    let cutoff: Double
    let doseFraction: Double
    let reference: UnsafeBufferPointer<Float>
    let evaluation: UnsafeBufferPointer<Float>
    let counts: SIMD3<Int>
    /// The last cell's lower corner per axis (0 on a one-voxel axis).
    let lastCell: SIMD3<Int>
    /// Offsets to a cell's upper corner along each axis (0 on a one-voxel axis).
    let cornerStride: SIMD3<Int>
    let cellCounts: SIMD3<Int>
    let cellRanges: UnsafeBufferPointer<SIMD2<Float>>
    /// Each cell's lower corner as an index offset into the evaluated dose, and its range as an
    /// index offset into `cellRanges`, from the reference voxel's own: valid for interior points.
    let cornerOffsets: [Int]
    let rangeOffsets: [Int]
    /// Each cell's (r/DTA)² of its nearest sample, for the vector cell scan.
    let nearestTerms: [Double]
    /// Reference voxels whose every cell lies on the grid: lowest and highest voxel per axis.
    let interiorLower: SIMD3<Int>
    let interiorUpper: SIMD3<Int>
    /// Whether the grid has cells with eight distinct corners (no one-voxel axis).
    let hasInterior: Bool
    let passRateOnly: Bool
    let kernel: dosecurate_gamma_kernel

    init(criteria: GammaCriteria, table: GammaSampleCells, samples: GammaSampleCells.Borrowed, shape: VolumeShape, spacing: SIMD3<Double>,
         globalMaximum: Double, reference: UnsafeBufferPointer<Float>, evaluation: UnsafeBufferPointer<Float>, cellCounts: SIMD3<Int>,
         cellRanges: UnsafeBufferPointer<SIMD2<Float>>, passRateOnly: Bool, kernel: dosecurate_gamma_kernel) {
        self.criteria = criteria
        self.kernel = kernel
        cells = table.cells
        self.samples = samples
        self.shape = shape
        self.spacing = spacing
        counts = SIMD3(shape.rows, shape.columns, shape.slices)
        inverseSpacing = 1 / spacing
        // pymedphys' axes are `arange(n) * spacing`: the last coordinate is (n − 1)·spacing.
        upperMM = SIMD3(Double(shape.rows - 1), Double(shape.columns - 1), Double(shape.slices - 1)) * spacing
        lastCell = SIMD3(max(shape.rows - 2, 0), max(shape.columns - 2, 0), max(shape.slices - 2, 0))
        cornerStride = SIMD3(shape.rows > 1 ? shape.columns * shape.slices : 0, shape.columns > 1 ? shape.slices : 0, shape.slices > 1 ? 1 : 0)
        self.globalMaximum = globalMaximum
        cutoff = criteria.lowerDoseCutoffPercent / 100 * globalMaximum
        doseFraction = criteria.dosePercent / 100
        self.reference = reference
        self.evaluation = evaluation
        self.cellCounts = cellCounts
        self.cellRanges = cellRanges
        let counts = self.counts
        cornerOffsets = table.cells.map { ($0.offset.x * counts.y + $0.offset.y) * counts.z + $0.offset.z }
        rangeOffsets = table.cells.map { ($0.offset.x * cellCounts.y + $0.offset.y) * cellCounts.z + $0.offset.z }
        nearestTerms = table.cells.map(\.nearestDistanceTerm)
        // A cell needs both its corners on the grid; a one-voxel axis has no interior.
        hasInterior = shape.rows > 1 && shape.columns > 1 && shape.slices > 1
        interiorLower = hasInterior ? 0 &- table.lowestCell : SIMD3(repeating: Int.max)
        interiorUpper = hasInterior ? lastCell &- table.highestCell : SIMD3(repeating: Int.min)
        self.passRateOnly = passRateOnly
    }

    func gammaOfRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>) {
        cornerOffsets.withUnsafeBufferPointer { corners in
            rangeOffsets.withUnsafeBufferPointer { rangeOffsets in
                nearestTerms.withUnsafeBufferPointer { nearestTerms in
                    cells.withUnsafeBufferPointer { cells in
                        gammaOfRow(row, into: output, cells: cells, corners: corners, rangeOffsets: rangeOffsets, nearestTerms: nearestTerms)
                    }
                }
            }
        }
    }

    private func gammaOfRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>, cells: UnsafeBufferPointer<GammaSampleCells.Cell>,
                            corners: UnsafeBufferPointer<Int>, rangeOffsets: UnsafeBufferPointer<Int>, nearestTerms: UnsafeBufferPointer<Double>) {
        // The sample where the previous point found its minimum: the first one this point tries.
        var seed = 0
        // A map capped at or below 1 passes every point it evaluates.
        let everyPointPasses = passRateOnly && criteria.maxGamma <= 1
        for column in 0..<shape.columns {
            let base = shape.offset(row: row, column: column, slice: 0)
            for slice in 0..<shape.slices {
                let referenceDose = Double(reference[base + slice])
                // pymedphys evaluates reference points with dose ≥ cutoff; local gamma needs a dose to divide by.
                guard referenceDose >= cutoff, criteria.normalisation == .global || referenceDose > 0 else { continue }
                if everyPointPasses {
                    output[base + slice] = Self.roundedUp(criteria.maxGamma)
                    continue
                }
                let voxel = SIMD3(row, column, slice)
                let interior = all(voxel .>= interiorLower) && all(voxel .<= interiorUpper)
                let point = SIMD3(Double(row), Double(column), Double(slice)) * spacing
                let found = search(point: point, voxel: voxel, referenceDose: referenceDose, seed: seed, interior: interior, cells: cells,
                                   corners: corners, rangeOffsets: rangeOffsets, nearestTerms: nearestTerms)
                if let sample = found.sample { seed = sample }
                if passRateOnly {
                    output[base + slice] = found.gammaSquared.map { Self.roundedUp($0.squareRoot()) } ?? .infinity
                } else {
                    // As pymedphys reports: capped at max_gamma.
                    output[base + slice] = Self.roundedUp(found.gammaSquared.map { min($0.squareRoot(), criteria.maxGamma) } ?? criteria.maxGamma)
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

    /// The lowest γ² below the search's ceiling and the sample that gave it, or nil when no sample
    /// goes below: γ ≥ max_gamma (the map reports max_gamma), or with `passRateOnly`, γ > 1.
    @inline(__always)
    private func search(point: SIMD3<Double>, voxel: SIMD3<Int>, referenceDose: Double, seed: Int, interior: Bool,
                        cells: UnsafeBufferPointer<GammaSampleCells.Cell>, corners: UnsafeBufferPointer<Int>,
                        rangeOffsets: UnsafeBufferPointer<Int>, nearestTerms: UnsafeBufferPointer<Double>) -> (gammaSquared: Double?, sample: Int?) {
        // pymedphys' arithmetic: the dose difference relative to the normalisation, over the dose fraction.
        let normalisation = criteria.normalisation == .global ? globalMaximum : referenceDose
        let inverseCriterion = 1 / normalisation / doseFraction
        // A sample counts when its γ² is below `ceiling`. √(1.nextUp) rounds to 1, so γ² ≤ 1.nextUp is
        // exactly the full map's "stored γ ≤ 1".
        let ceiling = passRateOnly ? Double(1).nextUp.nextUp : criteria.maxGamma * criteria.maxGamma
        var best = ceiling
        var bestSample: Int?
        @inline(__always) func consider(_ dose: Double, sample: Int) {
            let doseTerm = (dose - referenceDose) * inverseCriterion
            let gammaSquared = doseTerm * doseTerm + samples.w[sample]
            if gammaSquared < best {
                best = gammaSquared
                bestSample = sample
            }
        }
        consider(interpolate(point + samples.offsetsMM[seed]), sample: seed)
        if passRateOnly && bestSample != nil { return (best, bestSample) }
        let ranges = cellRanges.baseAddress.unsafelyUnwrapped
        @inline(__always) func gapTerm(_ range: SIMD2<Float>) -> Double {
            let gap = max(referenceDose - Double(range.y), Double(range.x) - referenceDose, 0) * inverseCriterion
            return gap * gap
        }
        // One cell's samples through the vector kernel; true when pass-rate mode can stop.
        @inline(__always) func scoreCell(corner: UnsafePointer<Float>, samples range: Range<Int>, gapTerm: Double) -> Bool {
            var lowest = best
            let found = dosecurate_gamma_cell_search(kernel, corner, cornerStride.x, cornerStride.y, cornerStride.z, samples.cell(range),
                                                     referenceDose, inverseCriterion, gapTerm, &lowest, passRateOnly ? 1 : 0)
            guard found >= 0 else { return false }
            best = lowest
            bestSample = range.lowerBound + found
            return passRateOnly
        }
        if interior {
            // The vector kernels pick the cells worth opening and score their samples.
            let cellBase = (voxel.x * cellCounts.y + voxel.y) * cellCounts.z + voxel.z
            let voxelIndex = (voxel.x * counts.y + voxel.y) * counts.z + voxel.z
            let dose = evaluation.baseAddress.unsafelyUnwrapped
            let rangeFloats = UnsafeRawPointer(ranges + cellBase).assumingMemoryBound(to: Float.self)
            var index = 0
            while true {
                index = dosecurate_gamma_next_cell(kernel, rangeFloats, rangeOffsets.baseAddress, nearestTerms.baseAddress, index, cells.count,
                                                   referenceDose, inverseCriterion, best)
                guard index >= 0 else { break }
                if scoreCell(corner: dose + (voxelIndex &+ corners[index]), samples: cells[index].samples,
                             gapTerm: gapTerm(ranges[cellBase &+ rangeOffsets[index]])) { break }
                index += 1
            }
            return bestSample == nil ? (nil, nil) : (best, bestSample)
        }
        // Near a face: cells off the grid are skipped, cells across a face are interpolated sample
        // by sample as pymedphys does (a sample there may be on or off the grid), and the rest go
        // to the kernel as for interior points.
        for index in cells.indices {
            let cell = cells[index]
            if cell.nearestDistanceTerm >= best { break }
            let absolute = voxel &+ cell.offset
            // Off the grid by more than a face: every sample there is off the grid.
            if any(absolute .< -1) || any(absolute .> counts &- 1) { continue }
            let clamped = pointwiseMin(pointwiseMax(absolute, .zero), cellCounts &- 1)
            let gap = gapTerm(ranges[(clamped.x * cellCounts.y + clamped.y) * cellCounts.z + clamped.z])
            if gap + cell.nearestDistanceTerm >= best { continue }
            if hasInterior && absolute == clamped {
                let corner = evaluation.baseAddress.unsafelyUnwrapped + ((absolute.x * counts.y + absolute.y) * counts.z + absolute.z)
                if scoreCell(corner: corner, samples: cell.samples, gapTerm: gap) { break }
                continue
            }
            for sample in cell.samples {
                if gap + samples.w[sample] >= best { break }
                let value = interpolate(point + samples.offsetsMM[sample])
                // Off the grid: NaN, never a minimum (pymedphys ignores those samples).
                guard !value.isNaN else { continue }
                consider(value, sample: sample)
                if passRateOnly && bestSample != nil { return (best, bestSample) }
            }
        }
        return bestSample == nil ? (nil, nil) : (best, bestSample)
    }

    /// pymedphys' `_interp_linear_3d`: NaN outside [0, (n − 1)·spacing] on any axis, so a point
    /// off the grid never becomes the minimum.
    @inline(__always)
    private func interpolate(_ position: SIMD3<Double>) -> Double {
        let x = position.x, y = position.y, z = position.z
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

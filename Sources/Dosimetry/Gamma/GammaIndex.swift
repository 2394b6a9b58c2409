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
public enum GammaIndex {
    /// Gamma of every reference voxel at or above the cutoff; NaN elsewhere. Axes are
    /// `index · spacing` (mm) on both doses. With `subsample` k, both grids are first decimated to
    /// `x[::k, ::k, ::k]` (the old pipeline's shortcut) and the map has the decimated shape.
    public static func compute(reference: Volume<Float>, evaluation: Volume<Float>, spacingMM: [Double],
                               criteria: GammaCriteria = .historic, subsample: Int = 1, workers: Int = 2) throws -> GammaMap {
        let criteria = try criteria.validated()
        guard reference.shape == evaluation.shape else {
            throw GammaError.gridMismatch(reference: reference.shape.description, evaluation: evaluation.shape.description)
        }
        guard spacingMM.count == 3, spacingMM.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw GammaError.invalidSpacing(found: spacingMM) }
        guard subsample >= 1 else { throw GammaError.invalidSubsample(found: subsample) }
        let referenceGrid = decimate(reference, by: subsample), evaluationGrid = decimate(evaluation, by: subsample)
        let spacing = spacingMM.map { $0 * Double(subsample) }
        let pattern = GammaSearchPattern(criteria: criteria)
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
                            gamma.withUnsafeMutableBufferPointer { output in
                                let search = ShellSearch(
                                    criteria: criteria, pattern: pattern, offsets: offsets, groups: groups, shape: shape, spacing: spacing,
                                    globalMaximum: globalMaximum, reference: referenceDose, evaluation: evaluationDose,
                                    blockCounts: blocks.blockCounts, blockMinimum: blockMinimum, blockMaximum: blockMaximum)
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
        return GammaMap(shape: shape, spacingMM: spacing, subsample: subsample, criteria: criteria, values: gamma)
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
    let groups: UnsafeBufferPointer<GammaSearchPattern.Group>
    let shape: VolumeShape
    let spacing: SIMD3<Double>
    let upperMM: SIMD3<Double>
    let globalMaximum: Double
    let cutoff: Double
    let doseFraction: Double
    let reference: UnsafeBufferPointer<Float>
    let evaluation: UnsafeBufferPointer<Float>
    let counts: SIMD3<Int>
    let blockCounts: SIMD3<Int>
    let blockMinimum: UnsafeBufferPointer<Float>
    let blockMaximum: UnsafeBufferPointer<Float>

    init(criteria: GammaCriteria, pattern: GammaSearchPattern, offsets: UnsafeBufferPointer<SIMD3<Double>>,
         groups: UnsafeBufferPointer<GammaSearchPattern.Group>, shape: VolumeShape,
         spacing: [Double], globalMaximum: Double, reference: UnsafeBufferPointer<Float>, evaluation: UnsafeBufferPointer<Float>,
         blockCounts: SIMD3<Int>, blockMinimum: UnsafeBufferPointer<Float>, blockMaximum: UnsafeBufferPointer<Float>) {
        self.criteria = criteria
        self.pattern = pattern
        self.offsets = offsets
        self.groups = groups
        self.shape = shape
        counts = SIMD3(shape.rows, shape.columns, shape.slices)
        self.spacing = SIMD3(spacing[0], spacing[1], spacing[2])
        // pymedphys' axes are `arange(n) * spacing`: the last coordinate is (n − 1)·spacing.
        upperMM = SIMD3(Double(shape.rows - 1) * spacing[0], Double(shape.columns - 1) * spacing[1], Double(shape.slices - 1) * spacing[2])
        self.globalMaximum = globalMaximum
        cutoff = criteria.lowerDoseCutoffPercent / 100 * globalMaximum
        doseFraction = criteria.dosePercent / 100
        self.reference = reference
        self.evaluation = evaluation
        self.blockCounts = blockCounts
        self.blockMinimum = blockMinimum
        self.blockMaximum = blockMaximum
    }

    func gammaOfRow(_ row: Int, into output: UnsafeMutableBufferPointer<Float>) {
        for column in 0..<shape.columns {
            let base = shape.offset(row: row, column: column, slice: 0)
            for slice in 0..<shape.slices {
                let referenceDose = Double(reference[base + slice])
                // pymedphys evaluates reference points with dose ≥ cutoff; local gamma needs a dose to divide by.
                guard referenceDose >= cutoff, criteria.normalisation == .global || referenceDose > 0 else { continue }
                let point = SIMD3(Double(row) * spacing[0], Double(column) * spacing[1], Double(slice) * spacing[2])
                let gamma = gammaAt(point, referenceDose: referenceDose)
                // As pymedphys reports: capped at max_gamma; a point with no sample at all stays unevaluated.
                output[base + slice] = gamma.isFinite ? Self.roundedUp(min(gamma, criteria.maxGamma)) : .nan
            }
        }
    }

    /// float32 storage halves the map's memory; rounding up keeps `γ ≤ 1` exactly as in float64
    /// (a gamma of 1.00000003 must not round down to 1 and pass).
    static func roundedUp(_ gamma: Double) -> Float {
        let stored = Float(gamma)
        return Double(stored) < gamma ? stored.nextUp : stored
    }

    @inline(__always)
    private func gammaAt(_ point: SIMD3<Double>, referenceDose: Double) -> Double {
        let normalisation = criteria.normalisation == .global ? globalMaximum : referenceDose
        let doseCriterion = normalisation * doseFraction
        var best = Double.infinity
        for shell in pattern.shells {
            let distanceTerm = shell.radiusMM / criteria.distanceMM
            // pymedphys keeps searching while best > r/DTA; a shell at or beyond that cannot lower best.
            guard best > distanceTerm else { break }
            // The shell lowers best only with a dose difference below this.
            let limit = best.isFinite ? doseCriterion * (best * best - distanceTerm * distanceTerm).squareRoot() : .infinity
            var smallest = Double.infinity
            for groupIndex in shell.groups {
                let group = groups[groupIndex]
                let bound = min(limit, smallest)
                if bound.isFinite, !mayContain(referenceDose - bound, referenceDose + bound,
                                               lower: point + group.lowerMM, upper: point + group.upperMM) { continue }
                for index in group.points {
                    guard let value = interpolate(at: point + offsets[index]) else { continue }
                    let difference = abs(value - referenceDose)
                    if difference < smallest { smallest = difference }
                }
            }
            guard smallest.isFinite else { continue }
            // pymedphys' arithmetic: relative difference, divided by the dose fraction, squared.
            let doseTerm = smallest / normalisation / doseFraction
            let gamma = (doseTerm * doseTerm + distanceTerm * distanceTerm).squareRoot()
            if gamma < best { best = gamma }
        }
        return best
    }

    /// Whether any trilinear value of the evaluated dose in the box [lower, upper] (mm) can lie
    /// strictly between `low` and `high`, from the dose ranges of the blocks the box touches.
    @inline(__always)
    private func mayContain(_ low: Double, _ high: Double, lower: SIMD3<Double>, upper: SIMD3<Double>) -> Bool {
        var first = SIMD3<Int>(repeating: 0), last = SIMD3<Int>(repeating: 0)
        for axis in 0..<3 {
            if upper[axis] < 0 || lower[axis] > upperMM[axis] { return false }
            let cellLimit = max(0, counts[axis] - 2)
            let firstCell = min(max(Int((lower[axis] / spacing[axis]).rounded(.down)), 0), cellLimit)
            let lastCell = min(max(Int((upper[axis] / spacing[axis]).rounded(.down)), 0), cellLimit)
            first[axis] = firstCell / DoseRangeBlocks.cellsPerBlock
            last[axis] = min(lastCell / DoseRangeBlocks.cellsPerBlock, blockCounts[axis] - 1)
        }
        for rowBlock in first[0]...last[0] {
            for columnBlock in first[1]...last[1] {
                let base = (rowBlock * blockCounts[1] + columnBlock) * blockCounts[2]
                for sliceBlock in first[2]...last[2] {
                    if Double(blockMinimum[base + sliceBlock]) < high && Double(blockMaximum[base + sliceBlock]) > low { return true }
                }
            }
        }
        return false
    }

    /// pymedphys' `_interp_linear_3d`: nil outside [0, (n − 1)·spacing] on any axis.
    @inline(__always)
    private func interpolate(at position: SIMD3<Double>) -> Double? {
        var lowerIndex = SIMD3<Int>(repeating: 0), upperIndex = SIMD3<Int>(repeating: 0)
        var weight = SIMD3<Double>(repeating: 0)
        for axis in 0..<3 {
            let coordinate = position[axis]
            guard coordinate >= 0, coordinate <= upperMM[axis] else { return nil }
            let low = min(Int(coordinate / spacing[axis]), max(counts[axis] - 2, 0))
            lowerIndex[axis] = low
            upperIndex[axis] = min(low + 1, counts[axis] - 1)
            weight[axis] = (coordinate - Double(low) * spacing[axis]) / spacing[axis]
        }
        func value(_ row: Int, _ column: Int, _ slice: Int) -> Double {
            Double(evaluation[(row * shape.columns + column) * shape.slices + slice])
        }
        let (x0, y0, z0) = (lowerIndex[0], lowerIndex[1], lowerIndex[2])
        let (x1, y1, z1) = (upperIndex[0], upperIndex[1], upperIndex[2])
        let (wx, wy, wz) = (weight[0], weight[1], weight[2])
        let c00 = value(x0, y0, z0) * (1 - wx) + value(x1, y0, z0) * wx
        let c01 = value(x0, y0, z1) * (1 - wx) + value(x1, y0, z1) * wx
        let c10 = value(x0, y1, z0) * (1 - wx) + value(x1, y1, z0) * wx
        let c11 = value(x0, y1, z1) * (1 - wx) + value(x1, y1, z1) * wx
        let c0 = c00 * (1 - wy) + c10 * wy
        let c1 = c01 * (1 - wy) + c11 * wy
        return c0 * (1 - wz) + c1 * wz
    }
}

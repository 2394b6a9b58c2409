import DoseCase

/// The grid the case viewer shows: the case's own grid, or a coarser one when the case is too big
/// for a page. Coarsening is by whole factors — one shared by rows and columns, one for slices — so
/// each shown voxel is a block of case voxels (the last block along an axis may be short).
///
/// The rule (docs/viewer.md): at most `maximumVoxelsPerAxis` shown voxels along any axis and at
/// most `maximumVoxels` in all; while over the total, the axis with the finer shown spacing is
/// coarsened first. A pipeline v2.3/v2.4 grid (300×300×~160) is shown as it is; the v2.2 grid
/// (512×512×256 at 1×1×2 mm) becomes 256×256×256 at 2×2×2 mm.
public struct ViewerGrid: Sendable, Equatable {
    /// Keeps a plane at most 320 voxels across, near a laptop screen's share of the page.
    public static let maximumVoxelsPerAxis = 320
    /// 256³: with CT, dose and the structure bits this keeps a full-size page well under 30 MB and
    /// the browser's decoded layers near 50 MB.
    public static let maximumVoxels = 1 << 24

    public let caseShape: VolumeShape
    /// (row, column, slice) in mm, as `VoxelSpacing.millimetres`.
    public let caseSpacingMM: [Double]
    /// Case voxels per shown voxel along (row, column, slice); rows and columns share theirs.
    public let factors: [Int]
    public let shape: VolumeShape
    /// The spacing of shown voxels: the case's times the factors.
    public let spacingMM: [Double]

    public init(caseShape: VolumeShape, caseSpacingMM: [Double]) throws {
        guard caseSpacingMM.count == 3, caseSpacingMM.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ImageError.invalidSpacing(caseSpacingMM)
        }
        guard caseShape.rows > 0, caseShape.columns > 0, caseShape.slices > 0 else {
            throw ImageError.unsupportedImageSize(width: caseShape.columns, height: caseShape.rows, maximum: PNGEncoder.maximumDimension)
        }
        func shown(_ count: Int, _ factor: Int) -> Int { (count + factor - 1) / factor }
        var inPlane = shown(max(caseShape.rows, caseShape.columns), Self.maximumVoxelsPerAxis)
        var through = shown(caseShape.slices, Self.maximumVoxelsPerAxis)
        while shown(caseShape.rows, inPlane) * shown(caseShape.columns, inPlane) * shown(caseShape.slices, through) > Self.maximumVoxels {
            if caseSpacingMM[0] * Double(inPlane) <= caseSpacingMM[2] * Double(through) { inPlane += 1 } else { through += 1 }
        }
        self.caseShape = caseShape
        self.caseSpacingMM = caseSpacingMM
        factors = [inPlane, inPlane, through]
        shape = VolumeShape(rows: shown(caseShape.rows, inPlane), columns: shown(caseShape.columns, inPlane),
                            slices: shown(caseShape.slices, through))
        spacingMM = zip(caseSpacingMM, factors).map { $0 * Double($1) }
    }

    public var isDownsampled: Bool { factors != [1, 1, 1] }

    /// Each shown voxel's mean over its block of case voxels, in (slice, row, column) order — the
    /// order the viewer's sheets tile. `elements` is one C-order (row, column, slice) volume on the
    /// case grid; NaN stays NaN (its block's mean is NaN).
    func blockMeans<Element>(_ elements: ArraySlice<Element>, _ value: (Element) -> Float) -> [Float] {
        let (rows, columns, slices) = (caseShape.rows, caseShape.columns, caseShape.slices)
        let (shownRows, shownColumns) = (shape.rows, shape.columns)
        let plane = shownRows * shownColumns
        // Where each case row, column and slice lands, computed once.
        let rowTarget = (0..<rows).map { $0 / factors[0] * shownColumns }
        let columnTarget = (0..<columns).map { $0 / factors[1] }
        let sliceTarget = (0..<slices).map { $0 / factors[2] * plane }
        var sums = [Float](repeating: 0, count: shape.voxelCount)
        // One case row at a time is turned from (column, slice) to (slice, column) order in a
        // buffer that stays in cache, so the sums are then added in runs along a shown row; added
        // straight from storage order they land a whole plane apart at every step. The buffer's
        // rows are padded by one cache line: at 512 columns their 2 KiB stride would put every
        // slice's line in the same L1 set. (Measured on a 512 × 512 × 256 case's nine masks: about
        // 5 s of CPU added straight, 1.6 s like this.)
        let stride = columns + 16
        var rowBuffer = [Float](repeating: 0, count: stride * slices)
        // The divisor of each shown voxel is its block's size: the product of the three block lengths.
        func blockLengths(axis: Int) -> [Float] {
            (0..<shape.dimensions[axis]).map { Float(min(factors[axis], caseShape.dimensions[axis] - $0 * factors[axis])) }
        }
        let (heights, widths, depths) = (blockLengths(axis: 0), blockLengths(axis: 1), blockLengths(axis: 2))
        sums.withUnsafeMutableBufferPointer { sums in
            rowBuffer.withUnsafeMutableBufferPointer { buffer in
                elements.withUnsafeBufferPointer { source in
                    for row in 0..<rows {
                        let start = row * columns * slices
                        for column in 0..<columns {
                            for slice in 0..<slices { buffer[slice * stride + column] = value(source[start + column * slices + slice]) }
                        }
                        for slice in 0..<slices {
                            let target = sliceTarget[slice] + rowTarget[row], from = slice * stride
                            for column in 0..<columns { sums[target + columnTarget[column]] += buffer[from + column] }
                        }
                    }
                }
            }
            guard isDownsampled else { return }
            for slice in 0..<shape.slices {
                for row in 0..<shownRows {
                    let size = depths[slice] * heights[row], first = slice * plane + row * shownColumns
                    for column in 0..<shownColumns { sums[first + column] /= size * widths[column] }
                }
            }
        }
        return sums
    }
}

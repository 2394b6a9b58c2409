import DoseCase
import NumpyFormat

/// Reads one plane of a volume through a voxel and resamples it onto square display pixels in
/// the plane's orientation (`SlicePlane`), so a 1 × 1 × 3 mm grid is not squashed: each pixel
/// is `pixelMM` wide and tall, and a pixel centre takes the value at its position in mm.
///
/// Only the plane's voxels are read; no volume is copied.
public struct PlaneSampler: Sendable {
    public let plane: SlicePlane
    public let shape: VolumeShape
    public let voxel: VoxelIndex
    public let pixelMM: Double
    public let width: Int
    public let height: Int
    /// Per display column / row: the continuous grid index sampled along the horizontal / vertical axis.
    private let horizontalIndices: [Double]
    private let verticalIndices: [Double]

    /// `spacingMM` is (row, column, slice) in mm, as `VoxelSpacing.millimetres`.
    public init(plane: SlicePlane, shape: VolumeShape, spacingMM: [Double], through voxel: VoxelIndex, pixelMM: Double) throws {
        try Self.check(spacingMM: spacingMM)
        guard (0..<shape.rows).contains(voxel.row), (0..<shape.columns).contains(voxel.column),
              (0..<shape.slices).contains(voxel.slice) else {
            throw ImageError.voxelOutsideGrid(voxel: voxel, shape: shape)
        }
        guard pixelMM.isFinite, pixelMM > 0 else {
            throw ImageError.invalidParameter(name: "pixel size (mm)", value: pixelMM, expected: "a positive number")
        }
        let counts = shape.dimensions
        func indices(axis: Int, growsUp: Bool) throws -> [Double] {
            let extentMM = Double(counts[axis]) * spacingMM[axis]
            let pixels = max(1, Int((extentMM / pixelMM).rounded()))
            guard pixels <= PNGEncoder.maximumDimension else {
                throw ImageError.invalidParameter(name: "pixel size (mm)", value: pixelMM,
                                                  expected: "at least \(extentMM / Double(PNGEncoder.maximumDimension)) for a \(extentMM) mm plane")
            }
            // Pixels tile the grid's extent edge to edge; a pixel centre at mm position p from the
            // grid's edge lies at index p / spacing − ½ (voxel centres sit half a voxel in).
            let pixelSpan = extentMM / Double(pixels)
            return (0..<pixels).map { pixel in
                let index = (Double(pixel) + 0.5) * pixelSpan / spacingMM[axis] - 0.5
                return growsUp ? Double(counts[axis] - 1) - index : index
            }
        }
        self.plane = plane
        self.shape = shape
        self.voxel = voxel
        self.pixelMM = pixelMM
        horizontalIndices = try indices(axis: plane.horizontalAxis, growsUp: false)
        verticalIndices = try indices(axis: plane.verticalAxis, growsUp: plane.verticalIndexGrowsUp)
        width = horizontalIndices.count
        height = verticalIndices.count
    }

    /// A pixel size for all three planes of a figure: the grid's finest spacing, so no voxel is
    /// lost, made finer when the largest extent would span fewer than `minimumPixels` pixels, so
    /// a small grid still makes a legible panel.
    public static func pixelMM(shape: VolumeShape, spacingMM: [Double], minimumPixels: Int = 256) throws -> Double {
        try check(spacingMM: spacingMM)
        let largestExtentMM = zip(shape.dimensions, spacingMM).map { Double($0) * $1 }.max() ?? 0
        return min(spacingMM.min() ?? 1, largestExtentMM / Double(max(1, minimumPixels)))
    }

    /// Throws unless `found` is the sampler's grid; `name` says which volume in the error.
    public func checkGrid(_ found: VolumeShape, name: String) throws {
        guard found == shape else { throw ImageError.gridMismatch(volume: name, expected: shape, found: found) }
    }

    /// Bilinear within the plane (CT, dose); beyond the outermost voxel centres the edge value holds.
    public func bilinear(_ volume: Volume<Float>, name: String) throws -> DisplaySlice<Float> {
        try checkGrid(volume.shape, name: name)
        let across = horizontalIndices.map { neighbours($0, axis: plane.horizontalAxis) }
        let down = verticalIndices.map { neighbours($0, axis: plane.verticalAxis) }
        let base = fixedOffset
        var values = [Float](repeating: 0, count: width * height)
        // Offsets are sums of per-axis parts computed once per display row and column: this loop
        // runs for every pixel of every panel.
        volume.elements.withUnsafeBufferPointer { elements in
            for (y, vertical) in down.enumerated() {
                for (x, horizontal) in across.enumerated() {
                    let topLeft = elements[base + vertical.low + horizontal.low], topRight = elements[base + vertical.low + horizontal.high]
                    let bottomLeft = elements[base + vertical.high + horizontal.low]
                    let bottomRight = elements[base + vertical.high + horizontal.high]
                    let top = topLeft + (topRight - topLeft) * horizontal.weight
                    let bottom = bottomLeft + (bottomRight - bottomLeft) * horizontal.weight
                    values[y * width + x] = top + (bottom - top) * vertical.weight
                }
            }
        }
        return DisplaySlice(width: width, height: height, values: values)
    }

    /// Nearest voxel (masks, where blending labels means nothing; gamma, where each pixel should
    /// show a value that was computed).
    public func nearest<Element: NPYElement>(_ volume: Volume<Element>, name: String) throws -> DisplaySlice<Element> {
        try checkGrid(volume.shape, name: name)
        return try volume.elements.withUnsafeBufferPointer { try nearest($0, name: name) }
    }

    /// The same from elements held elsewhere in C order on this grid (one channel of a mask
    /// stack), without copying them.
    public func nearest<Element: Sendable>(_ elements: UnsafeBufferPointer<Element>, name: String) throws -> DisplaySlice<Element> {
        guard elements.count == shape.voxelCount else {
            throw ImageError.elementCountMismatch(volume: name, expected: shape.voxelCount, found: elements.count)
        }
        let across = horizontalIndices.map { nearestIndex($0, axis: plane.horizontalAxis) * stride(plane.horizontalAxis) }
        let down = verticalIndices.map { nearestIndex($0, axis: plane.verticalAxis) * stride(plane.verticalAxis) }
        let base = fixedOffset
        let values = down.flatMap { vertical in across.map { horizontal in elements[base + vertical + horizontal] } }
        return DisplaySlice(width: width, height: height, values: values)
    }

    /// Where a (continuous) voxel position falls on the panel, in pixels from its top-left corner
    /// (a pixel's centre at +0.5), along the plane's two axes; the fixed axis is ignored, so a
    /// point off the plane is drawn where it projects onto it. The inverse of the sampling: a
    /// voxel centre's value lands at the pixel that samples it.
    public func position(row: Double, column: Double, slice: Double) -> (x: Double, y: Double) {
        let index = [row, column, slice]
        // Pixels tile the extent: index + ½ voxels from the grid's edge is (index + ½) · pixels / count pixels.
        func along(_ axis: Int, pixels: Int, growsUp: Bool) -> Double {
            let count = Double(shape.dimensions[axis])
            return ((growsUp ? count - 1 - index[axis] : index[axis]) + 0.5) * Double(pixels) / count
        }
        return (along(plane.horizontalAxis, pixels: width, growsUp: false),
                along(plane.verticalAxis, pixels: height, growsUp: plane.verticalIndexGrowsUp))
    }

    /// The index along the plane's fixed axis (the axial plane's slice).
    public var fixedIndex: Int { [voxel.row, voxel.column, voxel.slice][plane.fixedAxis] }

    /// C order over (row, column, slice): how far one step along each axis moves in `elements`.
    private func stride(_ axis: Int) -> Int { [shape.columns * shape.slices, shape.slices, 1][axis] }

    /// The offset contributed by the plane's fixed index.
    private var fixedOffset: Int { [voxel.row, voxel.column, voxel.slice][plane.fixedAxis] * stride(plane.fixedAxis) }

    /// The two grid neighbours of a continuous index along `axis`, as offsets, and the weight of the upper one.
    private func neighbours(_ index: Double, axis: Int) -> (low: Int, high: Int, weight: Float) {
        let count = shape.dimensions[axis]
        let clamped = min(max(index, 0), Double(count - 1))
        let low = Int(clamped.rounded(.down))
        return (low * stride(axis), min(low + 1, count - 1) * stride(axis), Float(clamped - Double(low)))
    }

    private func nearestIndex(_ index: Double, axis: Int) -> Int {
        min(max(Int(index.rounded()), 0), shape.dimensions[axis] - 1)
    }

    private static func check(spacingMM: [Double]) throws {
        guard spacingMM.count == 3, spacingMM.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw ImageError.invalidSpacing(spacingMM) }
    }
}

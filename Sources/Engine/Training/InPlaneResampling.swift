/// Optional in-plane resampling for CPU runs (`train --resample k`): the axial plane (case axes Y
/// and X) is reduced k-fold by area averaging, Z is kept. Coarse voxel (i, j) covers native rows
/// ik…ik+k−1 and columns jk…jk+k−1; a block cut by the volume's edge averages the voxels it has
/// (PyTorch's `avg_pool2d(k, ceil_mode=True)`). Predictions go back to the native grid by
/// bilinear interpolation between coarse voxel centres (PyTorch's `interpolate(scale_factor=k,
/// mode="bilinear", align_corners=False)`, cropped to the native extent), before any metric.
public struct InPlaneResampling: Sendable, Equatable {
    public let factor: Int

    public init(factor: Int) throws {
        guard factor >= 1 else { throw EngineError.invalidSetting(name: "resample", expected: "a factor ≥ 1", found: "\(factor)") }
        self.factor = factor
    }

    public var isIdentity: Bool { factor == 1 }

    /// No resampling.
    public static let native = InPlaneResampling(unchecked: 1)

    private init(unchecked factor: Int) { self.factor = factor }

    /// The coarse extent (Y, X, Z) of a native one.
    public func coarseExtent(_ native: [Int]) -> [Int] {
        [(native[0] + factor - 1) / factor, (native[1] + factor - 1) / factor, native[2]]
    }

    /// Every channel of `elements` (channels × Y × X × Z, native) area-averaged in plane.
    public func downsample(_ elements: [Float], channels: Int, native extent: [Int]) -> [Float] {
        guard !isIdentity else { return elements }
        let coarse = coarseExtent(extent), slices = extent[2]
        let nativeCount = extent.reduce(1, *), coarseCount = coarse.reduce(1, *)
        var result = [Float](repeating: 0, count: channels * coarseCount)
        var sums = [Double](repeating: 0, count: slices)
        for channel in 0..<channels {
            for row in 0..<coarse[0] {
                for column in 0..<coarse[1] {
                    for z in 0..<slices { sums[z] = 0 }
                    let rows = (row * factor)..<min(extent[0], (row + 1) * factor), columns = (column * factor)..<min(extent[1], (column + 1) * factor)
                    for y in rows {
                        for x in columns {
                            let source = channel * nativeCount + (y * extent[1] + x) * slices
                            for z in 0..<slices { sums[z] += Double(elements[source + z]) }
                        }
                    }
                    let count = Double(rows.count * columns.count)
                    let target = channel * coarseCount + (row * coarse[1] + column) * slices
                    for z in 0..<slices { result[target + z] = Float(sums[z] / count) }
                }
            }
        }
        return result
    }

    /// Binary masks in plane: a coarse voxel is inside when at least half its block is.
    public func downsampleMasks(_ masks: [UInt8], channels: Int, native extent: [Int]) -> [UInt8] {
        guard !isIdentity else { return masks }
        return downsample(masks.map(Float.init), channels: channels, native: extent).map { $0 >= 0.5 ? 1 : 0 }
    }

    /// One coarse channel (coarse Y × X × Z) back on the native grid `extent`.
    public func upsample(_ coarse: [Float], native extent: [Int]) -> [Float] {
        guard !isIdentity else { return coarse }
        let coarseExtent = coarseExtent(extent), slices = extent[2]
        // Where native index i falls between coarse centres: lower index and weight of the upper.
        func taps(_ length: Int, _ coarseLength: Int) -> [(Int, Int, Float)] {
            (0..<length).map { index in
                let position = max(0, (Double(index) + 0.5) / Double(factor) - 0.5)
                let lower = min(Int(position), coarseLength - 1)
                let upper = min(lower + 1, coarseLength - 1)
                return (lower, upper, Float(position - Double(lower)))
            }
        }
        let rowTaps = taps(extent[0], coarseExtent[0]), columnTaps = taps(extent[1], coarseExtent[1])
        var result = [Float](repeating: 0, count: extent.reduce(1, *))
        for (y, (row0, row1, rowWeight)) in rowTaps.enumerated() {
            for (x, (column0, column1, columnWeight)) in columnTaps.enumerated() {
                let target = (y * extent[1] + x) * slices
                let a = (row0 * coarseExtent[1] + column0) * slices, b = (row0 * coarseExtent[1] + column1) * slices
                let c = (row1 * coarseExtent[1] + column0) * slices, d = (row1 * coarseExtent[1] + column1) * slices
                for z in 0..<slices {
                    let top = coarse[a + z] * (1 - columnWeight) + coarse[b + z] * columnWeight
                    let bottom = coarse[c + z] * (1 - columnWeight) + coarse[d + z] * columnWeight
                    result[target + z] = top * (1 - rowWeight) + bottom * rowWeight
                }
            }
        }
        return result
    }
}

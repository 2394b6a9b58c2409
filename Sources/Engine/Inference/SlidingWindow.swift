import Foundation

/// Sliding-window prediction over a whole volume: fixed-size patches whose starts are placed
/// symmetrically about the volume centre and cover every voxel, blended with a Gaussian weight
/// (σ = patch/4 per axis, peak at the patch centre, never zero: e^−2 ≈ 0.135 at the edges).
/// The earlier pipeline snapped its last tile to the volume edge, so seams sat at different places
/// on the left and the right; here a left-right mirrored input gets mirrored tiles.
public struct SlidingWindow: Sendable, Equatable, Codable {
    /// Patch extent per axis (D, H, W); each a multiple of the model's 2^depth.
    public let patch: [Int]
    /// Distance between tile starts per axis (default: half a patch).
    public let stride: [Int]

    /// Tiles of `patch` whose neighbours share the fraction `overlap` of it along each axis.
    public init(patch: [Int], overlap: Double) throws {
        guard overlap > 0, overlap < 1 else {
            throw EngineError.invalidSetting(name: "window overlap", expected: "between 0 and 1", found: "\(overlap)")
        }
        try self.init(patch: patch, stride: patch.map { max(1, $0 - Int((Double($0) * overlap).rounded())) })
    }

    public init(patch: [Int], stride: [Int]? = nil) throws {
        let stride = stride ?? patch.map { max(1, $0 / 2) }
        // A stride below the patch leaves the one-voxel slack a half-voxel centring can need.
        guard patch.count == 3, stride.count == 3, patch.allSatisfy({ $0 > 1 }), zip(stride, patch).allSatisfy({ $0 > 0 && $0 < $1 }) else {
            throw EngineError.invalidSetting(name: "sliding window", expected: "3 patch extents above 1 and strides smaller than the patch",
                                             found: "patch \(patch), stride \(stride)")
        }
        (self.patch, self.stride) = (patch, stride)
    }

    /// Tile starts along one axis of `length` voxels: `count` starts `stride` apart, centred
    /// (the first at or before 0, the last patch ending at or after the end; negative starts and
    /// ends past the volume are zero-padded). The set equals its mirror image s ↦ length − patch − s:
    /// when centring needs a half-voxel offset, the first half rounds down, the second half is its
    /// mirror, and a middle tile is taken at both neighbouring starts.
    public static func starts(length: Int, patch: Int, stride: Int) -> [Int] {
        let room = length - patch
        let count = room <= 0 ? 1 : (room + stride - 1) / stride + 1
        // Twice the ideal start of tile i, an integer even when the start itself is a half.
        func doubled(_ index: Int) -> Int { room - (count - 1) * stride + 2 * index * stride }
        var starts: Set<Int> = []
        for index in 0..<((count + 1) / 2) {
            let lower = Int((Double(doubled(index)) / 2).rounded(.down))
            starts.insert(lower)
            starts.insert(room - lower)
        }
        return starts.sorted()
    }

    /// Every tile's start (D, H, W) for a volume of `extent`.
    public func tiles(extent: [Int]) -> [[Int]] {
        let axes = (0..<3).map { Self.starts(length: extent[$0], patch: patch[$0], stride: stride[$0]) }
        return axes[0].flatMap { d in axes[1].flatMap { h in axes[2].map { w in [d, h, w] } } }
    }

    /// The blending weight of each patch voxel (D, H, W order): a product of 1D Gaussians.
    public var weights: [Float] {
        let axes = patch.map { size -> [Double] in
            let centre = Double(size - 1) / 2, sigma = Double(size) / 4
            return (0..<size).map { exp(-pow(Double($0) - centre, 2) / (2 * sigma * sigma)) }
        }
        return axes[0].flatMap { d in axes[1].flatMap { h in axes[2].map { w in Float(d * h * w) } } }
    }

    /// Runs `predictPatch` on every tile of `input` (1, C, D, H, W) and blends the (1, 1, patch)
    /// outputs into one (1, 1, D, H, W) prediction. `progress(done, total)` after each tile.
    /// `predictPatch` owns its tile, so it can free it as soon as it has read it.
    public func predict(_ input: some PatchSource, progress: (Int, Int) -> Void = { _, _ in },
                        predictPatch: (consuming Tensor) throws -> Tensor) throws -> Tensor {
        let shape = input.shape
        guard shape.count == 5, shape[0] == 1, shape[1] > 0, shape[2...].allSatisfy({ $0 > 0 }) else {
            throw EngineError.shape(role: "sliding-window input", expected: "one volume (1, C, D, H, W)", found: shape)
        }
        let extent = Array(shape[2...]), voxels = extent.reduce(1, *)
        let blend = weights
        var sum = [Double](repeating: 0, count: voxels)
        let tiles = tiles(extent: extent)
        for (index, start) in tiles.enumerated() {
            let output = try predictPatch(input.patch(at: start, extent: patch))
            try output.expectShape([1, 1] + patch, role: "patch prediction")
            forEachOverlap(start: start, extent: extent) { volumeIndex, patchIndex in
                sum[volumeIndex] += Double(blend[patchIndex]) * Double(output.elements[patchIndex])
            }
            progress(index + 1, tiles.count)
        }
        // The weights' sum is not kept beside `sum` (a second volume of doubles): it is the same
        // additions again, tile by tile in the same order, so each voxel's divisor is exactly the
        // one a running sum would hold.
        var weightSum = [Double](repeating: 0, count: extent[1] * extent[2])
        var elements = [Float](repeating: 0, count: voxels)
        let plane = extent[1] * extent[2]
        for d in 0..<extent[0] {
            weightSum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for start in tiles where (start[0]..<(start[0] + patch[0])).contains(d) {
                forEachOverlap(start: start, extent: extent, depths: d..<(d + 1)) { volumeIndex, patchIndex in
                    weightSum[volumeIndex - d * plane] += Double(blend[patchIndex])
                }
            }
            for index in 0..<plane { elements[d * plane + index] = Float(sum[d * plane + index] / weightSum[index]) }
        }
        return try Tensor(shape: [1, 1] + extent, elements: elements)
    }

    /// Calls `body(volumeIndex, patchIndex)` for every voxel the tile at `start` covers inside the
    /// volume (within the volume's `depths`, when given).
    private func forEachOverlap(start: [Int], extent: [Int], depths: Range<Int>? = nil, _ body: (Int, Int) -> Void) {
        let covered = max(0, -start[0])..<min(patch[0], extent[0] - start[0])
        let wanted = depths.map { ($0.lowerBound - start[0])..<($0.upperBound - start[0]) } ?? covered
        for d in covered.clamped(to: wanted) {
            for h in max(0, -start[1])..<min(patch[1], extent[1] - start[1]) {
                let volumeRow = ((start[0] + d) * extent[1] + start[1] + h) * extent[2] + start[2]
                let patchRow = (d * patch[1] + h) * patch[2]
                for w in max(0, -start[2])..<min(patch[2], extent[2] - start[2]) { body(volumeRow + w, patchRow + w) }
            }
        }
    }
}

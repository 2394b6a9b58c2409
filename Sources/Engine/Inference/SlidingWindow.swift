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
    public func predict(_ input: Tensor, progress: (Int, Int) -> Void = { _, _ in },
                        predictPatch: (Tensor) throws -> Tensor) throws -> Tensor {
        let layout = try VolumeLayout(of: input, role: "sliding-window input")
        guard layout.batch == 1, layout.spatialCount > 0 else {
            throw EngineError.shape(role: "sliding-window input", expected: "one volume (1, C, D, H, W)", found: input.shape)
        }
        let extent = [layout.depth, layout.height, layout.width]
        let patchLayout = VolumeLayout(batch: 1, channels: layout.channels, depth: patch[0], height: patch[1], width: patch[2])
        let blend = weights
        var sum = [Double](repeating: 0, count: layout.spatialCount), weightSum = sum
        let tiles = tiles(extent: extent)
        for (index, start) in tiles.enumerated() {
            let output = try predictPatch(crop(input, layout: layout, start: start, to: patchLayout))
            try output.expectShape([1, 1] + patch, role: "patch prediction")
            forEachOverlap(start: start, extent: extent) { volumeIndex, patchIndex in
                sum[volumeIndex] += Double(blend[patchIndex]) * Double(output.elements[patchIndex])
                weightSum[volumeIndex] += Double(blend[patchIndex])
            }
            progress(index + 1, tiles.count)
        }
        return try Tensor(shape: [1, 1] + extent, elements: zip(sum, weightSum).map { Float($0 / $1) })
    }

    /// The patch at `start`, zero outside the volume.
    private func crop(_ input: Tensor, layout: VolumeLayout, start: [Int], to patchLayout: VolumeLayout) -> Tensor {
        var elements = [Float](repeating: 0, count: patchLayout.channels * patchLayout.spatialCount)
        let extent = [layout.depth, layout.height, layout.width]
        for channel in 0..<layout.channels {
            let source = channel * layout.spatialCount, target = channel * patchLayout.spatialCount
            forEachOverlap(start: start, extent: extent) { volumeIndex, patchIndex in
                elements[target + patchIndex] = input.elements[source + volumeIndex]
            }
        }
        return Tensor(unchecked: patchLayout.shape, elements)
    }

    /// Calls `body(volumeIndex, patchIndex)` for every voxel the tile at `start` covers inside the volume.
    private func forEachOverlap(start: [Int], extent: [Int], _ body: (Int, Int) -> Void) {
        for d in max(0, -start[0])..<min(patch[0], extent[0] - start[0]) {
            for h in max(0, -start[1])..<min(patch[1], extent[1] - start[1]) {
                let volumeRow = ((start[0] + d) * extent[1] + start[1] + h) * extent[2] + start[2]
                let patchRow = (d * patch[1] + h) * patch[2]
                for w in max(0, -start[2])..<min(patch[2], extent[2] - start[2]) { body(volumeRow + w, patchRow + w) }
            }
        }
    }
}

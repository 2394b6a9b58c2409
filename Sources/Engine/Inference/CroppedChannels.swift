/// A one-sample model input (1, C, D, H, W) held channel by channel, each as the smallest box
/// that holds every voxel differing from the channel's background value (its first voxel), the
/// background standing for the rest. A structure's signed distance is clipped, so beyond 50 mm
/// of the structure it is one value: on a full-size case (300×300×144) the nine SDF channels
/// fill about a tenth of their volume, and an absent structure's channel none of it. Every
/// voxel reads back exactly as it was given (bit patterns are compared, so −0 and NaN survive).
public struct CroppedChannels: Sendable, Equatable {
    /// (D, H, W).
    public let extent: [Int]
    private var channels: [Channel] = []

    private struct Channel: Sendable, Equatable {
        let background: Float
        /// Half-open box per axis; empty when every voxel is the background.
        let lower: [Int], upper: [Int]
        /// The box's voxels, D-major.
        let elements: [Float]
    }

    public init(extent: [Int]) {
        self.extent = extent
    }

    public var channelCount: Int { channels.count }
    public var shape: [Int] { [1, channels.count] + extent }
    /// Floats held, over all channels (what the stack costs instead of C·D·H·W).
    public var storedCount: Int { channels.reduce(0) { $0 + $1.elements.count } }

    /// Adds a channel from its D·H·W voxels (D-major); fails on another count.
    public mutating func append(_ voxels: ArraySlice<Float>) throws {
        let (depth, height, width) = (extent[0], extent[1], extent[2])
        guard voxels.count == depth * height * width else {
            throw EngineError.elementCount(shape: extent, expected: depth * height * width, found: voxels.count)
        }
        guard let first = voxels.first else { return appendConstant(0) }
        let background = first.bitPattern
        var lower = extent, upper = [0, 0, 0]
        voxels.withUnsafeBufferPointer { buffer in
            for d in 0..<depth {
                for h in 0..<height {
                    let row = (d * height + h) * width
                    var w = 0
                    while w < width, buffer[row + w].bitPattern == background { w += 1 }
                    guard w < width else { continue }
                    var last = width - 1
                    while buffer[row + last].bitPattern == background { last -= 1 }
                    (lower[0], upper[0]) = (min(lower[0], d), max(upper[0], d + 1))
                    (lower[1], upper[1]) = (min(lower[1], h), max(upper[1], h + 1))
                    (lower[2], upper[2]) = (min(lower[2], w), max(upper[2], last + 1))
                }
            }
        }
        guard upper[0] > 0 else { return appendConstant(first) }
        var elements: [Float] = []
        elements.reserveCapacity((0..<3).reduce(1) { $0 * (upper[$1] - lower[$1]) })
        let base = voxels.startIndex
        for d in lower[0]..<upper[0] {
            for h in lower[1]..<upper[1] {
                let row = base + (d * height + h) * width
                elements.append(contentsOf: voxels[(row + lower[2])..<(row + upper[2])])
            }
        }
        channels.append(Channel(background: first, lower: lower, upper: upper, elements: elements))
    }

    /// Adds a channel that is `value` everywhere.
    public mutating func appendConstant(_ value: Float) {
        channels.append(Channel(background: value, lower: [0, 0, 0], upper: [0, 0, 0], elements: []))
    }

    /// The whole (1, C, D, H, W) tensor.
    public func dense() -> Tensor {
        patch(at: [0, 0, 0], extent: extent)
    }
}

extension CroppedChannels: PatchSource {
    public func patch(at start: [Int], extent patch: [Int]) -> Tensor {
        let patchVoxels = patch[0] * patch[1] * patch[2]
        var elements = [Float](repeating: 0, count: channels.count * patchVoxels)
        let inside = insideBox(start: start, patch: patch, volume: extent)
        elements.withUnsafeMutableBufferPointer { target in
            for (index, channel) in channels.enumerated() {
                let offset = index * patchVoxels
                func fill(_ ranges: [Range<Int>], _ value: (Int, Int, Int) -> Float) {
                    for d in ranges[0] {
                        for h in ranges[1] {
                            let row = offset + ((d - start[0]) * patch[1] + h - start[1]) * patch[2] - start[2]
                            for w in ranges[2] { target[row + w] = value(d, h, w) }
                        }
                    }
                }
                if channel.background.bitPattern != 0 { fill(inside) { _, _, _ in channel.background } }
                let box = (0..<3).map { inside[$0].clamped(to: channel.lower[$0]..<channel.upper[$0]) }
                guard box.allSatisfy({ !$0.isEmpty }) else { continue }
                let boxHeight = channel.upper[1] - channel.lower[1], boxWidth = channel.upper[2] - channel.lower[2]
                fill(box) { d, h, w in
                    channel.elements[((d - channel.lower[0]) * boxHeight + h - channel.lower[1]) * boxWidth + w - channel.lower[2]]
                }
            }
        }
        return Tensor(unchecked: [1, channels.count] + patch, elements)
    }
}

/// What sliding-window prediction cuts its tiles from: a one-sample (1, C, D, H, W) volume.
public protocol PatchSource {
    var shape: [Int] { get }
    /// The (1, C) + `extent` box at `start` (D, H, W; may reach outside the volume), zero outside it.
    func patch(at start: [Int], extent: [Int]) -> Tensor
}

extension Tensor: PatchSource {
    public func patch(at start: [Int], extent patch: [Int]) -> Tensor {
        let (channels, volume) = (shape[1], Array(shape[2...]))
        let patchVoxels = patch[0] * patch[1] * patch[2], volumeVoxels = volume[0] * volume[1] * volume[2]
        var elements = [Float](repeating: 0, count: channels * patchVoxels)
        let inside = insideBox(start: start, patch: patch, volume: volume)
        guard inside.allSatisfy({ !$0.isEmpty }) else { return Tensor(unchecked: [1, channels] + patch, elements) }
        for channel in 0..<channels {
            for d in inside[0] {
                for h in inside[1] {
                    let from = channel * volumeVoxels + (d * volume[1] + h) * volume[2]
                    let to = channel * patchVoxels + ((d - start[0]) * patch[1] + h - start[1]) * patch[2] - start[2]
                    for w in inside[2] { elements[to + w] = self.elements[from + w] }
                }
            }
        }
        return Tensor(unchecked: [1, channels] + patch, elements)
    }
}

/// The part of the box at `start` of extent `patch` inside a volume of extent `volume`, in volume
/// coordinates (empty ranges when it is all outside).
private func insideBox(start: [Int], patch: [Int], volume: [Int]) -> [Range<Int>] {
    (0..<3).map { axis in
        let lower = max(0, start[axis])
        return lower..<max(lower, min(volume[axis], start[axis] + patch[axis]))
    }
}

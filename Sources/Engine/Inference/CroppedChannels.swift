/// A one-sample model input (1, C, D, H, W) held channel by channel, each as the smallest box
/// that holds every voxel differing from the channel's background value (its first voxel), the
/// background standing for the rest. A structure's signed distance is clipped, so beyond 50 mm
/// of the structure it is one value: on a full-size case (300×300×144) the nine SDF channels
/// fill about a tenth of their volume, and an absent structure's channel none of it. Every
/// voxel reads back exactly as it was given (bit patterns are compared, so −0 and NaN survive).
public struct CroppedChannels: InputChannels, Equatable {
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
                let channelTarget = UnsafeMutableBufferPointer(rebasing: target[(index * patchVoxels)..<((index + 1) * patchVoxels)])
                if channel.background.bitPattern != 0, inside.allSatisfy({ !$0.isEmpty }) {
                    for d in inside[0] {
                        for h in inside[1] {
                            let row = ((d - start[0]) * patch[1] + h - start[1]) * patch[2] - start[2]
                            channelTarget[(row + inside[2].lowerBound)..<(row + inside[2].upperBound)].update(repeating: channel.background)
                        }
                    }
                }
                let box = (0..<3).map { inside[$0].clamped(to: channel.lower[$0]..<channel.upper[$0]) }
                channel.elements.withUnsafeBufferPointer { boxElements in
                    copyRows(of: box, from: boxElements, origin: channel.lower, extent: (0..<3).map { channel.upper[$0] - channel.lower[$0] },
                             into: channelTarget, start: start, patch: patch)
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
    /// A tensor other than (1, C, D, H, W), or an extent other than three axes, gives an empty tensor.
    public func patch(at start: [Int], extent patch: [Int]) -> Tensor {
        guard shape.count == 5, shape[0] == 1, start.count == 3, patch.count == 3 else { return Tensor(unchecked: [0], []) }
        let (channels, volume) = (shape[1], Array(shape[2...]))
        let patchVoxels = patch[0] * patch[1] * patch[2], volumeVoxels = volume[0] * volume[1] * volume[2]
        var elements = [Float](repeating: 0, count: channels * patchVoxels)
        let inside = insideBox(start: start, patch: patch, volume: volume)
        self.elements.withUnsafeBufferPointer { source in
            elements.withUnsafeMutableBufferPointer { target in
                for channel in 0..<channels {
                    copyRows(of: inside, from: UnsafeBufferPointer(rebasing: source[(channel * volumeVoxels)..<((channel + 1) * volumeVoxels)]),
                             origin: [0, 0, 0], extent: volume,
                             into: UnsafeMutableBufferPointer(rebasing: target[(channel * patchVoxels)..<((channel + 1) * patchVoxels)]),
                             start: start, patch: patch)
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

/// Copies `box` (volume coordinates, inside the source) row by row from a D-major block of
/// `extent` whose first voxel sits at `origin` into the D-major patch of extent `patch` at `start`.
private func copyRows(of box: [Range<Int>], from source: UnsafeBufferPointer<Float>, origin: [Int], extent: [Int],
                      into target: UnsafeMutableBufferPointer<Float>, start: [Int], patch: [Int]) {
    guard box.allSatisfy({ !$0.isEmpty }), let source = source.baseAddress, let target = target.baseAddress else { return }
    for d in box[0] {
        for h in box[1] {
            let from = ((d - origin[0]) * extent[1] + h - origin[1]) * extent[2] + box[2].lowerBound - origin[2]
            let to = ((d - start[0]) * patch[1] + h - start[1]) * patch[2] + box[2].lowerBound - start[2]
            (target + to).update(from: source + from, count: box[2].count)
        }
    }
}

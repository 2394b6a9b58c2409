/// A one-sample model input (1, C, D, H, W) built channel by channel from a case's volumes:
/// `CroppedChannels` for prediction (each channel's box only), `DenseChannels` where every voxel
/// is wanted anyway (the training cache).
public protocol InputChannels: Sendable {
    init(extent: [Int])
    /// Adds a channel from its D·H·W voxels (D-major); fails on another count.
    mutating func append(_ voxels: ArraySlice<Float>) throws
    /// Adds a channel that is `value` everywhere.
    mutating func appendConstant(_ value: Float)
}

/// The channels one after the other, every voxel stored.
public struct DenseChannels: InputChannels, Equatable {
    /// (D, H, W).
    public let extent: [Int]
    /// C·D·H·W floats, channel-major.
    public private(set) var elements: [Float] = []

    public init(extent: [Int]) {
        self.extent = extent
    }

    public mutating func append(_ voxels: ArraySlice<Float>) throws {
        let count = extent.reduce(1, *)
        guard voxels.count == count else { throw EngineError.elementCount(shape: extent, expected: count, found: voxels.count) }
        elements.append(contentsOf: voxels)
    }

    public mutating func appendConstant(_ value: Float) {
        elements.append(contentsOf: repeatElement(value, count: extent.reduce(1, *)))
    }
}

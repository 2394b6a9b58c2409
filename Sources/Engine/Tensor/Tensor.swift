/// A float32 tensor: a shape and its elements in row-major (C) order. Volumes are NCDHW, where
/// D, H, W are a case's array axes Y, X, Z (spec, npz-case-format.md), so a case's channel is one
/// contiguous block. A value: copying is cheap until one copy is written (Swift arrays), so layers
/// take and return tensors without sharing mutable state.
public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public var elements: [Float]

    /// Fails when the shape has a negative extent or does not hold exactly `elements.count` values.
    public init(shape: [Int], elements: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), Self.count(of: shape) == elements.count else {
            throw EngineError.elementCount(shape: shape, expected: Self.count(of: shape), found: elements.count)
        }
        self.shape = shape
        self.elements = elements
    }

    /// A tensor of `value` everywhere.
    public init(repeating value: Float, shape: [Int]) {
        self.shape = shape
        self.elements = [Float](repeating: value, count: Self.count(of: shape))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// Elements computed in place into fresh storage (no zero-fill first).
    init(shape: [Int], initializingWith body: (inout UnsafeMutableBufferPointer<Float>) -> Void) {
        self.shape = shape
        self.elements = [Float](unsafeUninitializedCapacity: Self.count(of: shape)) { buffer, count in
            body(&buffer)
            count = buffer.count
        }
    }

    public var count: Int { elements.count }
    public var rank: Int { shape.count }

    /// The largest absolute element (0 for an empty tensor): the scale comparisons are made against.
    public var maximumMagnitude: Float { elements.reduce(0) { max($0, abs($1)) } }

    static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }
}

/// The extents of an NCDHW volume tensor, named.
public struct VolumeLayout: Sendable, Equatable, CustomStringConvertible {
    public let batch: Int, channels: Int, depth: Int, height: Int, width: Int

    public init(batch: Int, channels: Int, depth: Int, height: Int, width: Int) {
        (self.batch, self.channels, self.depth, self.height, self.width) = (batch, channels, depth, height, width)
    }

    /// The layout of a rank-5 tensor; fails on any other rank.
    public init(of tensor: Tensor, role: String) throws {
        guard tensor.rank == 5 else { throw EngineError.shape(role: role, expected: "rank 5 (N, C, D, H, W)", found: tensor.shape) }
        self.init(batch: tensor.shape[0], channels: tensor.shape[1], depth: tensor.shape[2], height: tensor.shape[3], width: tensor.shape[4])
    }

    public var spatialCount: Int { depth * height * width }
    public var shape: [Int] { [batch, channels, depth, height, width] }
    public var description: String { "\(shape)" }

    public func with(channels newChannels: Int) -> VolumeLayout {
        VolumeLayout(batch: batch, channels: newChannels, depth: depth, height: height, width: width)
    }
}

import Engine
import Foundation
import NumpyFormat

/// `dosecurate model forward`: the bare network on arrays from an .npz, for parity checks against
/// other frameworks. Input keys `x` (N, C, D, H, W) and `constraints` (N, 13), both read as float32
/// (float64 is refused rather than silently rounded); output key `y` (N, 1, D, H, W) float32.
public enum ModelForward {
    public struct Summary: Sendable, Equatable {
        public let configuration: UNetConfiguration
        public let inputShape: [Int]
        public let outputShape: [Int]
        public let seconds: Double
    }

    public static func run(weightsPath: String, inputPath: String, outputPath: String, backend: some ComputeBackend) throws -> Summary {
        let weights = try ModelWeights.read(path: weightsPath)
        let archive = try NPZArchive(path: inputPath)
        let x = try tensor(archive, key: "x", file: inputPath)
        let constraints = try tensor(archive, key: "constraints", file: inputPath)
        let start = Date()
        let y = try weights.model.forward(x, constraints: constraints, on: backend)
        let seconds = Date().timeIntervalSince(start)
        try NPZWriter.write([("y", try NPYArray(shape: y.shape, elements: y.elements))], to: outputPath, compression: .stored)
        return Summary(configuration: weights.model.configuration, inputShape: x.shape, outputShape: y.shape, seconds: seconds)
    }

    static func tensor(_ archive: NPZArchive, key: String, file: String) throws -> Tensor {
        let array = try archive.read(key)
        return try Tensor(shape: array.shape, elements: array.elements(as: Float.self))
    }
}

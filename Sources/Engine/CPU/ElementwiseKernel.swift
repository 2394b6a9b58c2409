import CEngineKernels
import Foundation

/// Elementwise maps and the two losses, split into contiguous ranges between lanes (results do
/// not depend on the split; the loss sums are reduced per lane in lane order).
struct ElementwiseKernel {
    let split: WorkSplit

    func map(_ input: [Float], _ transform: @escaping @Sendable (Float) -> Float) -> [Float] {
        map(input, rangeTransform(transform))
    }

    /// `map` over `values` itself (inference, where the input is not needed again).
    func mapInPlace(_ values: inout [Float], _ transform: @escaping @Sendable (Float) -> Float) {
        mapInPlace(&values, rangeTransform(transform))
    }

    /// SiLU, x · sigmoid(x), by the vectorised C kernel (`dc_silu`).
    func silu(_ input: [Float]) -> [Float] { map(input, Self.siluRange) }

    func siluInPlace(_ values: inout [Float]) { mapInPlace(&values, Self.siluRange) }

    /// A transform of `count` consecutive elements from the first pointer into the second (which may be the first).
    private typealias RangeTransform = @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    private static let siluRange: RangeTransform = { source, target, count in dc_silu(source, target, count) }

    private func rangeTransform(_ transform: @escaping @Sendable (Float) -> Float) -> RangeTransform {
        { source, target, count in
            for index in 0..<count { target[index] = transform(source[index]) }
        }
    }

    private func map(_ input: [Float], _ transform: RangeTransform) -> [Float] {
        [Float](unsafeUninitializedCapacity: input.count) { target, count in
            input.withUnsafeBufferPointer { source in map(source, into: target, transform) }
            count = input.count
        }
    }

    private func mapInPlace(_ values: inout [Float], _ transform: RangeTransform) {
        values.withUnsafeMutableBufferPointer { target in map(UnsafeBufferPointer(target), into: target, transform) }
    }

    func zip(_ first: [Float], _ second: [Float], _ combine: @escaping @Sendable (Float, Float) -> Float) -> [Float] {
        var output = [Float](repeating: 0, count: first.count)
        first.withUnsafeBufferPointer { a in
            output.withUnsafeMutableBufferPointer { target in zip(a, second, into: target, combine) }
        }
        return output
    }

    /// `first[i] = combine(first[i], second[i])`.
    func zipInPlace(_ first: inout [Float], _ second: [Float], _ combine: @escaping @Sendable (Float, Float) -> Float) {
        first.withUnsafeMutableBufferPointer { target in zip(UnsafeBufferPointer(target), second, into: target, combine) }
    }

    /// The loops behind both forms; `target` may be `source`'s memory (each index is read before it is written).
    private func map(_ source: UnsafeBufferPointer<Float>, into target: UnsafeMutableBufferPointer<Float>, _ transform: RangeTransform) {
        guard let from = source.baseAddress, let start = target.baseAddress else { return }
        nonisolated(unsafe) let to = start
        split.forEachRange(of: source.count) { range in
            transform(from + range.lowerBound, to + range.lowerBound, range.count)
        }
    }

    private func zip(_ a: UnsafeBufferPointer<Float>, _ second: [Float], into target: UnsafeMutableBufferPointer<Float>,
                     _ combine: @escaping @Sendable (Float, Float) -> Float) {
        second.withUnsafeBufferPointer { b in
            nonisolated(unsafe) let target = target
            split.forEachRange(of: a.count) { range in
                for index in range { target[index] = combine(a[index], b[index]) }
            }
        }
    }

    /// Σ term(a[i], b[i]) in Double, summed per lane range and then in range order. Both arguments
    /// must have `count` elements (`b` may be `a`).
    func sum(_ a: [Float], _ b: [Float], _ term: @escaping @Sendable (Float, Float) -> Double) -> Double {
        // A fixed number of ranges (not lanes) keeps the sum the same whatever the thread count.
        let ranges = 8
        var partial = [Double](repeating: 0, count: ranges)
        a.withUnsafeBufferPointer { first in
            b.withUnsafeBufferPointer { second in
                partial.withUnsafeMutableBufferPointer { partialBuffer in
                    nonisolated(unsafe) let partialBuffer = partialBuffer
                    split.forEachTask(ranges) { range in
                        var sum = 0.0
                        for index in (first.count * range / ranges)..<(first.count * (range + 1) / ranges) {
                            sum += term(first[index], second[index])
                        }
                        partialBuffer[range] = sum
                    }
                }
            }
        }
        return partial.reduce(0, +)
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
}

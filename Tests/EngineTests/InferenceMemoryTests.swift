import Support
import Engine
import XCTest

/// What `predict` does to hold less than the traced pass, each against the plain computation
/// bit for bit: the decoder's convolutions over [upsampled, skip] without the concatenation,
/// the residual written over the upsampled half, the input cut from `CroppedChannels`, and the
/// blending divisor recomputed instead of stored.
final class InferenceMemoryTests: XCTestCase {
    func testConvolutionsOverTwoPartsGiveTheConcatenationsBits() throws {
        var generator = SeededGenerator(seed: 31)
        for threads in [1, 2] {
            let backend = try CPUBackend(threads: threads)
            for (batch, kernel) in [(1, 3), (2, 3), (1, 1), (2, 1)] {
                // Two lanes' worth of slabs: 6 × 9 rows of 7.
                let first = Tensor.uniform([batch, 5, 6, 9, 7], bound: 1, generator: &generator)
                let second = Tensor.uniform([batch, 3, 6, 9, 7], bound: 1, generator: &generator)
                let conv = try Conv3d(inputChannels: 8, outputChannels: 4, kernelSize: kernel, generator: &generator)
                let label = "batch \(batch), \(kernel)³, \(threads) thread(s)"
                let expected = try conv.forward(ChannelConcat.forward(first, second, on: backend), on: backend)
                XCTAssertEqual(try conv.forward(concatenating: first, second, on: backend), expected, label)
                guard kernel == 1 else {
                    XCTAssertThrowsError(try conv.forward(overwriting: first, concatenatedWith: second, on: backend), label)
                    continue
                }
                // Batch 1 writes over the first part (4 of its 5 channels); batch 2 takes fresh storage.
                XCTAssertEqual(try conv.forward(overwriting: first, concatenatedWith: second, on: backend), expected, label)
            }
        }
        let conv = try Conv3d(inputChannels: 8, outputChannels: 4, kernelSize: 3, generator: &generator)
        XCTAssertThrowsError(try conv.forward(concatenating: .zeros([1, 5, 4, 4, 4]), .zeros([1, 3, 4, 4, 5]), on: CPUBackend(threads: 1)),
                             "parts on different grids")
        XCTAssertThrowsError(try conv.forward(concatenating: .zeros([1, 5, 4, 4, 4]), .zeros([1, 4, 4, 4, 4]), on: CPUBackend(threads: 1)),
                             "9 channels for a conv of 8")
    }

    /// One sample, so the decoder's residual takes the path that writes over the upsampled half.
    func testOneSampleInferenceGivesTheTracedOutputBitForBit() throws {
        var generator = SeededGenerator(seed: 32)
        let configuration = try UNetConfiguration(baseWidth: 4, depth: 3, inputChannels: 3)
        let model = try BaselineUNet3D(configuration: configuration, generator: &generator)
        let x = Tensor.uniform([1, 3, 8, 16, 8], bound: 1, generator: &generator)
        let constraints = Tensor.uniform([1, 13], bound: 1, generator: &generator)
        for threads in [1, 2] {
            let backend = try CPUBackend(threads: threads)
            let traced = try model.forwardTrace(x, constraints: constraints, on: backend).output
            XCTAssertEqual(try model.forward(x, constraints: constraints, on: backend).elements, traced.elements, "\(threads) thread(s)")
            XCTAssertGreaterThan(traced.maximumMagnitude, 0)
        }
    }

    func testCroppedChannelsReadBackEveryVoxelAndHoldOnlyTheirBoxes() throws {
        let extent = [6, 7, 9], voxels = 6 * 7 * 9
        var sdf = [Float](repeating: 1, count: voxels)
        // Differs from the background in a 2 × 3 × 4 box only, with a −0 and a NaN inside it.
        for d in 2..<4 { for h in 1..<4 { for w in 3..<7 { sdf[(d * 7 + h) * 9 + w] = Float(d - h) / 10 } } }
        sdf[(2 * 7 + 1) * 9 + 3] = -0.0
        sdf[(3 * 7 + 3) * 9 + 6] = .nan
        var generator = SeededGenerator(seed: 33)
        let ct = (0..<voxels).map { _ in Float(generator.nextUniform(0, 1)) }
        var channels = CroppedChannels(extent: extent)
        try channels.append(ct[...])
        try channels.append(sdf[...])
        channels.appendConstant(0)
        try channels.append([Float](repeating: -1, count: voxels)[...])
        XCTAssertEqual(channels.shape, [1, 4, 6, 7, 9])
        XCTAssertEqual(channels.storedCount, voxels + 2 * 3 * 4, "the CT whole, the SDF's box, nothing for constant channels")
        let dense = channels.dense()
        let expected = ct + sdf + [Float](repeating: 0, count: voxels) + [Float](repeating: -1, count: voxels)
        XCTAssertEqual(dense.shape, [1, 4] + extent)
        XCTAssertEqual(dense.elements.map(\.bitPattern), expected.map(\.bitPattern), "every voxel, −0 and NaN included")
        // Tiles reaching past every face read what the dense tensor gives, zero outside the volume.
        for start in [[-2, -3, -1], [3, 4, 5], [0, 0, 0], [5, -4, 8], [-9, 0, 0]] {
            XCTAssertEqual(channels.patch(at: start, extent: [4, 5, 3]).elements.map(\.bitPattern),
                           dense.patch(at: start, extent: [4, 5, 3]).elements.map(\.bitPattern), "tile at \(start)")
        }
        XCTAssertEqual(dense.patch(at: [-9, 0, 0], extent: [4, 5, 3]).elements, [Float](repeating: 0, count: 4 * 60), "outside the volume")
        // One tile written out voxel by voxel, against both.
        let (start, tile) = ([-2, 4, 5], [4, 5, 6])
        var written = [Float](repeating: 0, count: 4 * 120)
        for channel in 0..<4 { for d in 0..<4 { for h in 0..<5 { for w in 0..<6 {
            let (z, y, x) = (start[0] + d, start[1] + h, start[2] + w)
            guard (0..<6).contains(z), (0..<7).contains(y), (0..<9).contains(x) else { continue }
            written[((channel * 4 + d) * 5 + h) * 6 + w] = expected[channel * voxels + (z * 7 + y) * 9 + x]
        } } } }
        XCTAssertEqual(channels.patch(at: start, extent: tile).elements.map(\.bitPattern), written.map(\.bitPattern))
        XCTAssertEqual(dense.patch(at: start, extent: tile).elements.map(\.bitPattern), written.map(\.bitPattern))
        XCTAssertEqual(try Tensor(shape: [4, 6, 7, 9], elements: expected).patch(at: start, extent: tile).elements, [], "not one sample: nothing")
        // The dense stack export builds holds the same voxels.
        var stacked = DenseChannels(extent: extent)
        try stacked.append(ct[...])
        try stacked.append(sdf[...])
        stacked.appendConstant(0)
        try stacked.append([Float](repeating: -1, count: voxels)[...])
        XCTAssertEqual(stacked.elements.map(\.bitPattern), expected.map(\.bitPattern))
        XCTAssertThrowsError(try stacked.append([Float](repeating: 0, count: voxels + 1)[...]))
        XCTAssertThrowsError(try channels.append([Float](repeating: 0, count: voxels - 1)[...])) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.element_count")
        }
    }

    /// The blend against a running sum of weights kept beside the running sum of weighted
    /// outputs (what it replaces), from a dense tensor and from `CroppedChannels` of it.
    func testBlendingDividesByTheRunningWeightSumsBits() throws {
        var generator = SeededGenerator(seed: 34)
        let configuration = try UNetConfiguration(baseWidth: 4, depth: 2, inputChannels: 2)
        let model = try BaselineUNet3D(configuration: configuration, generator: &generator)
        let extent = [11, 13, 6]
        let input = Tensor.uniform([1, 2] + extent, bound: 1, generator: &generator)
        let window = try SlidingWindow(patch: [8, 8, 4], stride: [3, 5, 2])
        let backend = try CPUBackend(threads: 2)
        let predictPatch = { (patch: consuming Tensor) in try model.forward(patch, constraints: .zeros([1, 13]), on: backend) }

        let blend = window.weights
        var sum = [Double](repeating: 0, count: 11 * 13 * 6), weightSum = sum
        for start in window.tiles(extent: extent) {
            let output = try predictPatch(input.patch(at: start, extent: window.patch))
            for d in 0..<8 { for h in 0..<8 { for w in 0..<4 {
                let (z, y, x) = (start[0] + d, start[1] + h, start[2] + w)
                guard (0..<11).contains(z), (0..<13).contains(y), (0..<6).contains(x) else { continue }
                let (volumeIndex, patchIndex) = ((z * 13 + y) * 6 + x, (d * 8 + h) * 4 + w)
                sum[volumeIndex] += Double(blend[patchIndex]) * Double(output.elements[patchIndex])
                weightSum[volumeIndex] += Double(blend[patchIndex])
            } } }
        }
        let expected = zip(sum, weightSum).map { Float($0 / $1) }
        XCTAssertEqual(try window.predict(input, predictPatch: predictPatch).elements, expected)
        var channels = CroppedChannels(extent: extent)
        for channel in 0..<2 { try channels.append(input.elements[(channel * 858)..<((channel + 1) * 858)]) }
        XCTAssertEqual(try window.predict(channels, predictPatch: predictPatch).elements, expected)
    }
}

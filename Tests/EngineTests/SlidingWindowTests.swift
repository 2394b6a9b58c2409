import Support
import Dosimetry
import Engine
import XCTest

/// Tiling covers every voxel and is its own mirror image; blending returns a constant model's
/// constant; a left-right mirrored input through a mirror-symmetric model gives the mirrored output.
final class SlidingWindowTests: XCTestCase {
    func testTilesCoverEveryVoxelAndAreMirrorSymmetric() {
        for length in 1...70 {
            for patch in [2, 7, 8, 16, 32] {
                for stride in Set([max(1, patch / 2), max(1, patch - 1), max(1, patch / 3)]) where stride < patch {
                    let starts = SlidingWindow.starts(length: length, patch: patch, stride: stride)
                    let label = "length \(length), patch \(patch), stride \(stride): \(starts)"
                    XCTAssertEqual(Set(starts.map { length - patch - $0 }), Set(starts), "mirror image, " + label)
                    var covered = [Bool](repeating: false, count: length)
                    for start in starts { for voxel in max(0, start)..<min(length, start + patch) { covered[voxel] = true } }
                    XCTAssertTrue(covered.allSatisfy { $0 }, "coverage, " + label)
                    // No more tiles than needed, except a doubled middle for a half-voxel centring.
                    let needed = length <= patch ? 1 : (length - patch + stride - 1) / stride + 1
                    XCTAssertLessThanOrEqual(starts.count, needed + 1, label)
                }
            }
        }
        XCTAssertEqual(SlidingWindow.starts(length: 300, patch: 128, stride: 64), [-10, 54, 118, 182], "centred: 10 voxels of padding each side")
        XCTAssertEqual(SlidingWindow.starts(length: 10, patch: 16, stride: 8), [-3], "one padded tile")
        XCTAssertThrowsError(try SlidingWindow(patch: [8, 8, 8], stride: [8, 4, 4]), "no overlap leaves no slack") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.invalid_setting")
        }
    }

    func testConstantModelGivesItsConstantEverywhere() throws {
        let configuration = try UNetConfiguration(baseWidth: 4, depth: 2, inputChannels: 2)
        var parameters = Dictionary(uniqueKeysWithValues: configuration.parameterShapes.map { ($0.name, Tensor.zeros($0.shape)) })
        parameters["out_conv.bias"] = try Tensor(shape: [1], elements: [0.7])
        let model = try BaselineUNet3D(configuration: configuration, parameters: parameters)
        var generator = SeededGenerator(seed: 1)
        let input = Tensor.uniform([1, 2, 9, 13, 6], bound: 1, generator: &generator)
        let window = try SlidingWindow(patch: [8, 8, 8])
        let backend = try CPUBackend(threads: 2)
        var calls = 0
        let output = try window.predict(input) { patch in
            calls += 1
            return try model.forward(patch, constraints: .zeros([1, 13]), on: backend)
        }
        XCTAssertEqual(output.shape, [1, 1, 9, 13, 6])
        XCTAssertEqual(calls, window.tiles(extent: [9, 13, 6]).count)
        for value in output.elements { XCTAssertEqual(value, 0.7, accuracy: 1e-6) }
    }

    func testMirroredInputGivesMirroredOutput() throws {
        // A model that commutes with flipping H (the case's X, left-right): every conv kernel
        // symmetric in its H tap.
        let configuration = try UNetConfiguration(baseWidth: 4, depth: 2, inputChannels: 3)
        var generator = SeededGenerator(seed: 5)
        let random = try BaselineUNet3D(configuration: configuration, generator: &generator)
        var parameters = random.parameters
        for (name, tensor) in parameters where tensor.rank == 5 && tensor.shape[3] == 3 {
            parameters[name] = Self.mirrored(tensor, symmetrised: true)
        }
        let model = try BaselineUNet3D(configuration: configuration, parameters: parameters)
        let constraints = Tensor.uniform([1, 13], bound: 1, generator: &generator)
        // H = 21 with an 8-voxel patch and stride 4 needs a half-voxel centring.
        let input = Tensor.uniform([1, 3, 8, 21, 10], bound: 1, generator: &generator)
        let window = try SlidingWindow(patch: [8, 8, 8], stride: [4, 4, 4])
        let backend = try CPUBackend(threads: 2)
        let predict = { (volume: Tensor) in try window.predict(volume) { try model.forward($0, constraints: constraints, on: backend) } }
        let output = try predict(input), mirroredOutput = try predict(Self.mirrored(input, symmetrised: false))
        assertClose(mirroredOutput, Self.mirrored(output, symmetrised: false), relative: 1e-5, "prediction of the mirrored input")
        XCTAssertGreaterThan(output.maximumMagnitude, 0)
    }

    /// x flipped along axis 3 (H); with `symmetrised`, (x + flip(x)) / 2.
    private static func mirrored(_ tensor: Tensor, symmetrised: Bool) -> Tensor {
        var result = tensor
        let (outer, height, inner) = (tensor.shape[0] * tensor.shape[1] * tensor.shape[2], tensor.shape[3], tensor.shape[4])
        for block in 0..<outer {
            for h in 0..<height {
                for w in 0..<inner {
                    let index = (block * height + h) * inner + w, flipped = (block * height + height - 1 - h) * inner + w
                    result.elements[index] = symmetrised ? (tensor.elements[index] + tensor.elements[flipped]) / 2 : tensor.elements[flipped]
                }
            }
        }
        return result
    }
}

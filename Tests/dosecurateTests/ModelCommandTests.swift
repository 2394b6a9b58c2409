import Support
import Dosimetry
import Engine
import Foundation
import NumpyFormat
import SharedCohort
import XCTest

/// `dosecurate model init|forward` and `predict` as a user runs them: the outputs equal the
/// library's, refusals exit 2 with a message, an unreadable case exits 1.
final class ModelCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-model-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, in: work)
    }

    func testInitThenForwardEqualsTheLibrary() throws {
        let initialised = try dosecurate(["model", "init", "--preset", "tiny", "--depth", "2", "--inputs", "3", "--seed", "9", "-o", "w.safetensors"])
        XCTAssertEqual(initialised.status, 0, initialised.errors)
        XCTAssertTrue(initialised.output.contains("tiny (b = 8), depth 2, 3 input channels"), initialised.output)

        var generator = SeededGenerator(seed: 9)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(preset: .tiny, depth: 2, inputChannels: 3), generator: &generator)
        XCTAssertEqual(try ModelWeights.read(path: work.appendingPathComponent("w.safetensors").path).model, model, "the same seeded weights")

        var inputs = SeededGenerator(seed: 1)
        let x = Tensor.uniform([2, 3, 8, 4, 12], bound: 1, generator: &inputs), constraints = Tensor.uniform([2, 13], bound: 1, generator: &inputs)
        try NPZWriter.write([("x", try NPYArray(shape: x.shape, elements: x.elements)),
                             ("constraints", try NPYArray(shape: constraints.shape, elements: constraints.elements))],
                            to: work.appendingPathComponent("in.npz").path)
        let forward = try dosecurate(["model", "forward", "--weights", "w.safetensors", "--input", "in.npz", "--output", "out.npz", "--threads", "1"])
        XCTAssertEqual(forward.status, 0, forward.errors)
        let y = try NPZArchive(path: work.appendingPathComponent("out.npz").path).read("y")
        XCTAssertEqual(y.shape, [2, 1, 8, 4, 12])
        XCTAssertEqual(try y.elements(as: Float.self), try model.forward(x, constraints: constraints, on: CPUBackend(threads: 1)).elements,
                       "one thread: bit for bit")
        let summary = try dosecurate(["model", "forward", "--weights", "w.safetensors", "--input", "in.npz", "-o", "again.npz", "--json"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(summary.output.utf8)) as? [String: Any], summary.errors)
        XCTAssertEqual(json["schema"] as? String, "dosecurate/model-forward-output/1")
        XCTAssertEqual(json["outputShape"] as? [Int], [2, 1, 8, 4, 12])

        // float64 input is refused, not rounded; a patch the depth cannot halve is refused.
        try NPZWriter.write([("x", try NPYArray(shape: x.shape, elements: x.elements.map(Double.init))),
                             ("constraints", try NPYArray(shape: constraints.shape, elements: constraints.elements))],
                            to: work.appendingPathComponent("wide.npz").path)
        let refused = try dosecurate(["model", "forward", "--weights", "w.safetensors", "--input", "wide.npz", "--output", "never.npz"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertFalse(refused.errors.isEmpty)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("never.npz").path))
        let notWeights = try dosecurate(["model", "forward", "--weights", "in.npz", "--input", "in.npz", "--output", "never.npz"])
        XCTAssertEqual(notWeights.status, 2)
        XCTAssertTrue(notWeights.errors.contains("safetensors"), notWeights.errors)
    }

    func testPredictExitCodes() throws {
        _ = try dosecurate(["model", "init", "--preset", "tiny", "--depth", "1", "--inputs", "10", "-o", "w.safetensors"])
        let both = try dosecurate(["predict", "--weights", "w.safetensors", "--cases", "x", "--dataset", "dsv-1", "--split", "main", "--output", "p"])
        XCTAssertEqual(both.status, 2, "--cases and --dataset together")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("cases"), withIntermediateDirectories: true)
        try Data("not a case".utf8).write(to: work.appendingPathComponent("cases/broken.npz"))
        let nothing = try dosecurate(["predict", "--weights", "w.safetensors", "--cases", "cases", "--output", "p", "--patch", "16", "--quiet"])
        XCTAssertEqual(nothing.status, 2, "no case could be predicted")
        XCTAssertTrue(nothing.errors.contains("skipped cases/broken.npz"), nothing.errors)
        let badPatch = try dosecurate(["predict", "--weights", "w.safetensors", "--cases", "cases", "--output", "p", "--patch", "15"])
        XCTAssertEqual(badPatch.status, 2)
        XCTAssertTrue(badPatch.errors.contains("multiples of 2"), badPatch.errors)
    }
}

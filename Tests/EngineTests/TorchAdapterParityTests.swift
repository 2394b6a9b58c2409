import Support
import Engine
import Foundation
import SharedCohort
import XCTest

/// The PyTorch adapter (`python/dosecurate_torch`) against the engine, through
/// `Fixtures/torch_parity.py` run by Debian's `/usr/bin/python3` with python3-torch and python3-h5py
/// (`make test` installs them): the same seed cuts the same patches, flips and femur swaps; a
/// training epoch on the same cache takes the same steps; weights cross both ways and give the same
/// output within 1e-4 of its largest magnitude; and the package's own unit tests pass.
final class TorchAdapterParityTests: XCTestCase {
    private var folder: URL!
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private static let python = URL(fileURLWithPath: "/usr/bin/python3")
    private static let script = repository.appendingPathComponent("Tests/EngineTests/Fixtures/torch_parity.py").path
    /// The folder holding `dosecurate_torch`, for PYTHONPATH.
    private static let package = repository.appendingPathComponent("python").path
    /// Largest |engine − PyTorch| over the largest |output| the model parity tests accept.
    private static let relativeTolerance: Float = 1e-4

    /// Whether /usr/bin/python3 has PyTorch and h5py; asked once (importing torch takes a second).
    private static let pythonHasTorch = (try? TestProcess.run(python, ["-c", "import torch, h5py"]).status) == 0

    override func setUp() async throws {
        guard Self.pythonHasTorch else {
            throw XCTSkip("/usr/bin/python3 lacks torch or h5py (make test installs python3-torch and python3-h5py)")
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-torch-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }

    private func file(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Runs `torch_parity.py` and returns what it printed, failing with its stderr when it fails.
    private func torchParity(_ arguments: [String]) throws -> String {
        let result = try TestProcess.run(Self.python, [Self.script] + arguments, environment: ["PYTHONPATH": Self.package])
        guard result.status == 0 else {
            throw TestProcessError.failed(command: "torch_parity.py \(arguments.first ?? "")", errors: result.errors)
        }
        return result.output
    }

    /// Largest |actual − expected| over the largest |expected|.
    private func relativeDifference(_ actual: Tensor, _ expected: Tensor) -> Float {
        XCTAssertEqual(actual.shape, expected.shape)
        let worst = zip(actual.elements, expected.elements).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        return worst / max(expected.maximumMagnitude, .leastNormalMagnitude)
    }

    // MARK: - Patches

    /// Where a patch PyTorch cut differs from the engine's (same elements in the same order; the
    /// engine's has a leading batch axis), nil when they are equal.
    private func firstDifference(_ python: Tensor?, _ engine: Tensor) -> String? {
        guard let python, python.count == engine.count else { return "shape \(python?.shape ?? []), the engine's \(engine.shape)" }
        return python.elements.indices.first { python.elements[$0] != engine.elements[$0] }
            .map { "element \($0) is \(python.elements[$0]), the engine's \(engine.elements[$0])" }
    }

    /// One draw as torch_parity.py prints it.
    struct DrawSummary: Decodable, Equatable {
        let start: [Int]
        let flipped: Bool
        let highDoseCentre: Bool
    }

    /// Draw by draw on a volume whose every channel is noise, so a wrong box, a mirror on another
    /// axis or a missing femur swap changes the patch: Python's patches equal the engine's exactly.
    func testSameSeedCutsTheSamePatchesFlipsAndFemurSwaps() throws {
        let extent = [14, 12, 10], patch = [6, 8, 4], channels = 10, count = 24
        var generator = SeededGenerator(seed: 3)
        let input = Tensor.uniform([1, channels] + extent, bound: 1, generator: &generator)
        let dose = Tensor.uniform([1, 1] + extent, bound: 1, generator: &generator)
        try SafeTensors(tensors: ["input": Tensor(shape: [channels] + extent, elements: input.elements),
                                  "dose": Tensor(shape: extent, elements: dose.elements)]).write(to: file("volume.safetensors"))
        let volume = try PatchSampler.Volume(input: input, dose: dose)
        let sampler = try PatchSampler(patch: patch, maxShift: 3)
        for seed: UInt64 in [0, 21] {
            let printed = try torchParity(["sample", "--volume", file("volume.safetensors"), "--seed", "\(seed)", "--count", "\(count)",
                                           "--patch"] + patch.map(String.init) + ["--max-shift", "3", "--out", file("patches.safetensors")])
            let pythonDraws = try JSONDecoder().decode([DrawSummary].self, from: Data(printed.utf8))
            let pythonPatches = try SafeTensors.read(path: file("patches.safetensors")).tensors
            var engine = SeededGenerator(seed: seed)
            var flips = 0
            for index in 0..<count {
                let sample = try sampler.sample(volume, index: index, generator: &engine)
                let label = "seed \(seed), draw \(index)"
                let engineDraw = DrawSummary(start: sample.start, flipped: sample.flipped, highDoseCentre: sample.highDoseCentre)
                XCTAssertEqual(pythonDraws[index], engineDraw, label)
                XCTAssertNil(firstDifference(pythonPatches["input.\(index)"], sample.input), "\(label): input patch")
                XCTAssertNil(firstDifference(pythonPatches["dose.\(index)"], sample.dose), "\(label): dose patch")
                if sample.flipped { flips += 1 }
            }
            XCTAssertTrue((1..<count).contains(flips), "seed \(seed): flipped and plain draws both compared (\(flips) flipped)")
        }
    }

    /// Epoch 1 of the engine's trainer and of the same epoch in PyTorch from the same initial
    /// weights and the same cache: the mean loss and gradient norm over its two steps agree, which
    /// needs the same patches in the same batches in the same order (the second step starts from
    /// the first one's update).
    func testAnEpochInPyTorchTakesTheEnginesSteps() throws {
        let channels = ["CT", "PTV70", "PTV56", "Prostate", "Rectum", "Bladder", "Femur_L", "Femur_R", "Bowel", "PTV50.4"]
        var generator = SeededGenerator(seed: 9)
        let cases = [("case_a", [12, 10, 14]), ("case_b", [10, 13, 9])].map { caseId, extent in
            TrainingCacheFile.Case(caseId: caseId, role: "train", caseHash: "hash-\(caseId)",
                                   input: .uniform([1, channels.count] + extent, bound: 1, generator: &generator),
                                   dose: .uniform([1, 1] + extent, bound: 1, generator: &generator),
                                   masks: [UInt8](repeating: 0, count: (channels.count - 1) * extent.reduce(1, *)),
                                   constraints: (0..<13).map { Float($0) / 13 }, filledChannels: [])
        }
        let splitIdentity = #"{"cases":[{"caseId":"case_a","role":"train"},{"caseId":"case_b","role":"train"}],"#
            + #""datasetVersion":"dsv-00000000000000aa"}"#
        var remaining = cases.makeIterator()
        try TrainingCacheFile.write(to: file("cache.h5"), attributes: [
            "dataset_version": "dsv-00000000000000aa@1", "split": "parity@1", "split_identity": splitIdentity,
            "channels": JSONValue.array(channels.map(JSONValue.string)).canonicalText, "resample": "1",
        ]) { remaining.next() }
        let runRecord = JSONValue.object([
            "schema": .string("dosecurate/run/2"), "runId": .string("parity"), "datasetVersion": .string("dsv-00000000000000aa"),
            "datasetRevision": .int(1),
            "split": .object(["name": .string("parity"), "revision": .int(1), "hash": .string(SHA256Hex.of(Array(splitIdentity.utf8)))]),
        ])
        try Data(runRecord.canonicalText.utf8).write(to: folder.appendingPathComponent("run.json"))

        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [8, 8, 8], batchSize: 2, epochs: 1, patchesPerVolume: 2,
                                                  learningRate: 1e-3, maxShift: 2, patience: nil, seed: 11, threads: 1)
        // The trainer's own initial weights: its seed's generator, first use.
        var initialiser = SeededGenerator(seed: configuration.seed)
        let initial = try BaselineUNet3D(configuration: UNetConfiguration(preset: .tiny, depth: 2, inputChannels: channels.count),
                                         generator: &initialiser)
        try ModelWeights(model: initial).write(to: file("initial.safetensors"))
        let runFolder = file("engine-run")
        let data = TrainingSet(cachePath: file("cache.h5"), trainCases: ["case_a", "case_b"], validationCases: [],
                               datasetVersion: "dsv-00000000000000aa@1")
        let outcome = try Trainer(configuration: configuration, data: data, directory: runFolder).run(resume: false)
        let metrics = try String(contentsOfFile: "\(runFolder)/metrics.csv", encoding: .utf8).split(separator: "\n")
        let engineNorm = try XCTUnwrap(Double(metrics[1].split(separator: ",")[4]), "gradient_norm of epoch 1")

        struct EpochDraw: Decodable, Equatable {
            let caseId: String
            let start: [Int]
            let flipped: Bool
            let highDoseCentre: Bool
        }
        struct PythonEpoch: Decodable {
            let draws: [EpochDraw]
            let trainLoss: Double, gradientNorm: Double
        }
        let settings = ["--seed", "\(configuration.seed)", "--max-shift", "\(configuration.maxShift)",
                        "--patches-per-volume", "\(configuration.patchesPerVolume)", "--batch-size", "\(configuration.batchSize)",
                        "--lr", "\(configuration.learningRate)", "--patch"] + configuration.patch.map(String.init)
        let printed = try torchParity(["epoch", "--cache", file("cache.h5"), "--run-json", file("run.json"),
                                       "--weights", file("initial.safetensors")] + settings)
        let python = try JSONDecoder().decode(PythonEpoch.self, from: Data(printed.utf8))
        // The epoch's draws, in batch order, as the engine's trainer makes them.
        let cache = try TrainingCacheReader(path: file("cache.h5"))
        let centres = try ["case_a", "case_b"].map { caseId in
            let extent = try cache.extent(caseId: caseId, array: "dose")
            return try PatchSampler.Centres(extent: extent, dose: cache.readBox(caseId: caseId, array: "dose", start: [0, 0, 0], size: extent))
        }
        let engineDraws = try PatchSampler(patch: configuration.patch, maxShift: configuration.maxShift)
            .epochDraws(centres, seed: configuration.seed, epoch: 1, patchesPerVolume: configuration.patchesPerVolume)
            .map { EpochDraw(caseId: ["case_a", "case_b"][$0.volume], start: $0.draw.start, flipped: $0.draw.flipped, highDoseCentre: $0.draw.highDoseCentre) }
        XCTAssertEqual(python.draws, engineDraws, "the epoch's patches, boxes and flips, in the engine's order")
        XCTAssertEqual(python.draws.map(\.caseId).sorted(), ["case_a", "case_a", "case_b", "case_b"])
        let engineLoss = try XCTUnwrap(outcome.finalTrainLoss)
        XCTAssertEqual(python.trainLoss, engineLoss, accuracy: 1e-4 * engineLoss, "mean training loss of epoch 1")
        XCTAssertEqual(python.gradientNorm, engineNorm, accuracy: 1e-4 * engineNorm, "mean gradient norm of epoch 1")
        print("epoch parity: loss engine \(engineLoss), PyTorch \(python.trainLoss); "
              + "gradient norm engine \(engineNorm), PyTorch \(python.gradientNorm)")
    }

    // MARK: - Weights both ways

    /// x (2, C, 8, 12, 8) and constraints (2, 13) for a depth-2 model, written for PyTorch.
    private func modelInput(channels: Int) throws -> (x: Tensor, constraints: Tensor) {
        var generator = SeededGenerator(seed: 17)
        let x = Tensor.uniform([2, channels, 8, 12, 8], bound: 1, generator: &generator)
        let constraints = try Tensor(shape: [2, 13], elements: (0..<26).map { _ in Float(generator.nextUnit()) })
        try SafeTensors(tensors: ["x": x, "constraints": constraints]).write(to: file("arrays.safetensors"))
        return (x, constraints)
    }

    func testEngineWeightsGiveTheEnginesOutputInPyTorch() throws {
        let configuration = try UNetConfiguration(preset: .tiny, depth: 2, inputChannels: 10)
        var generator = SeededGenerator(seed: 5)
        var parameters = try BaselineUNet3D(configuration: configuration, generator: &generator).parameters
        // GroupNorm's affine parameters start at 1 and 0; randomised, a misplaced one shows.
        for name in parameters.keys.sorted() where name.contains(".norm") {
            let tensor = try XCTUnwrap(parameters[name])
            parameters[name] = try Tensor(shape: tensor.shape, elements: tensor.elements.map { $0 + Float(generator.nextGaussian() * 0.5) })
        }
        let model = try BaselineUNet3D(configuration: configuration, parameters: parameters)
        try ModelWeights(model: model, datasetVersion: "dsv-00000000000000aa@1").write(to: file("engine.safetensors"))
        let (x, constraints) = try modelInput(channels: 10)
        _ = try torchParity(["forward", "--weights", file("engine.safetensors"), "--arrays", file("arrays.safetensors"),
                             "--out", file("y.safetensors")])
        let torchY = try XCTUnwrap(SafeTensors.read(path: file("y.safetensors")).tensors["y"])
        let engineY = try model.forward(x, constraints: constraints, on: CPUBackend(threads: 1))
        let difference = relativeDifference(torchY, engineY)
        XCTAssertLessThanOrEqual(difference, Self.relativeTolerance)
        XCTAssertGreaterThan(engineY.maximumMagnitude, 0.01, "an output that is not all zero")
        print("engine → PyTorch: max |Δy| / max |y| = \(difference)")
    }

    func testPyTorchWeightsGivePyTorchsOutputInTheEngine() throws {
        let (x, constraints) = try modelInput(channels: 9)
        _ = try torchParity(["init", "--depth", "2", "--inputs", "9", "--seed", "4", "--dataset-version", "dsv-00000000000000bb@2",
                             "--arrays", file("arrays.safetensors"), "--weights-out", file("torch.safetensors"),
                             "--out", file("y.safetensors")])
        let weights = try ModelWeights.read(path: file("torch.safetensors"))
        XCTAssertEqual(weights.model.configuration, try UNetConfiguration(preset: .tiny, depth: 2, inputChannels: 9))
        XCTAssertEqual(weights.datasetVersion, "dsv-00000000000000bb@2")
        XCTAssertEqual(weights.resampling, .native)
        let metadata = try SafeTensors.read(path: file("torch.safetensors")).metadata
        XCTAssertEqual(metadata, ["format": "dosecurate BaselineUNet3D", "preset": "tiny", "base_width": "8", "depth": "2",
                                  "input_channels": "9", "dataset_version": "dsv-00000000000000bb@2"])
        let torchY = try XCTUnwrap(SafeTensors.read(path: file("y.safetensors")).tensors["y"])
        let engineY = try weights.model.forward(x, constraints: constraints, on: CPUBackend(threads: 1))
        let difference = relativeDifference(engineY, torchY)
        XCTAssertLessThanOrEqual(difference, Self.relativeTolerance)
        XCTAssertGreaterThan(torchY.maximumMagnitude, 0.01, "an output that is not all zero")
        print("PyTorch → engine: max |Δy| / max |y| = \(difference)")
    }

    // MARK: - The package's own tests

    /// `python/tests` with the dosecurate binary of this build, so the tests that read a cache the
    /// real tool exported run too (none may be skipped).
    func testThePackagesUnitTestsPass() throws {
        let tests = Self.repository.appendingPathComponent("python/tests").path
        let result = try TestProcess.run(Self.python, ["-m", "unittest", "discover", "-s", tests],
                                         environment: ["PYTHONPATH": Self.package, "DOSECURATE_BINARY": try DosecurateBinary.url().path])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.errors.contains("\nOK"), result.errors)
        XCTAssertFalse(result.errors.contains("skipped"), result.errors)
    }
}

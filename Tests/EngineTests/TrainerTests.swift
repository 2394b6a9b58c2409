import Support
import DoseCase
import Dosimetry
import Engine
import Foundation
import XCTest

/// The training loop on a small synthetic cache: a tiny model overfits one case, the same seed
/// gives the same loss curve bit for bit, and the validation scores are the ones a reader would
/// compute from the best checkpoint's predictions.
final class TrainerTests: XCTestCase {
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    static let extent = [20, 20, 16]

    /// A case with a spherical PTV70 of `radius` voxels around `centre`: dose 1 inside, falling
    /// off as a Gaussian outside; CT 0.6 in a body cylinder; SDF channels for PTV70 and a rectum.
    private func syntheticCase(_ caseId: String, role: String, centre: [Double], radius: Double) throws -> TrainingCacheFile.Case {
        let extent = Self.extent, voxels = extent.reduce(1, *)
        var ct = [Float](repeating: 0, count: voxels), ptvSDF = ct, rectumSDF = ct, dose = ct
        var ptv = [UInt8](repeating: 0, count: voxels), rectum = ptv
        for y in 0..<extent[0] { for x in 0..<extent[1] { for z in 0..<extent[2] {
            let voxel = (y * extent[1] + x) * extent[2] + z
            let distance = ((Double(y) - centre[0]) * (Double(y) - centre[0]) + (Double(x) - centre[1]) * (Double(x) - centre[1])
                + (Double(z) - centre[2]) * (Double(z) - centre[2])).squareRoot()
            let rectumDistance = ((Double(y) - centre[0] - radius - 3) * (Double(y) - centre[0] - radius - 3)
                + (Double(x) - centre[1]) * (Double(x) - centre[1])).squareRoot() - 2
            ct[voxel] = (Double(y) - 10) * (Double(y) - 10) + (Double(x) - 10) * (Double(x) - 10) < 81 ? 0.6 : 0.1
            ptvSDF[voxel] = Float(max(-1, min(1, (distance - radius) / 10)))
            rectumSDF[voxel] = Float(max(-1, min(1, rectumDistance / 10)))
            ptv[voxel] = distance <= radius ? 1 : 0
            rectum[voxel] = rectumDistance <= 0 ? 1 : 0
            dose[voxel] = Float(distance <= radius ? 1 : exp(-(distance - radius) * (distance - radius) / 8))
        } } }
        return TrainingCacheFile.Case(caseId: caseId, role: role, caseHash: "hash-\(caseId)",
                                      input: try Tensor(shape: [1, 3] + extent, elements: ct + ptvSDF + rectumSDF),
                                      dose: try Tensor(shape: [1, 1] + extent, elements: dose), masks: ptv + rectum,
                                      constraints: (0..<13).map { Float($0 % 3) / 2 }, filledChannels: [])
    }

    private func cache(_ cases: [TrainingCacheFile.Case]) throws -> String {
        let path = folder.appendingPathComponent("cache.h5").path
        var iterator = cases.makeIterator()
        try TrainingCacheFile.write(to: path, attributes: ["channels": #"["CT","PTV70","Rectum"]"#]) { iterator.next() }
        return path
    }

    private func losses(in run: URL) throws -> [String] {
        try String(contentsOf: run.appendingPathComponent(Trainer.metricsFile), encoding: .utf8).split(separator: "\n").dropFirst()
            .map(EpochSummary.withoutTimes)
    }

    func testATinyModelOverfitsOneCase() throws {
        let path = try cache([syntheticCase("one", role: "train", centre: [9, 10, 8], radius: 4)])
        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [16, 16, 16], batchSize: 2, epochs: 40, patchesPerVolume: 2,
                                                  learningRate: 3e-3, maxShift: 2, patience: nil, seed: 5, threads: 2)
        var losses: [Double] = []
        let trainer = try Trainer(configuration: configuration, data: TrainingSet(cachePath: path, trainCases: ["one"], validationCases: [],
                                                                                  datasetVersion: "dsv-synthetic"),
                                  directory: folder.appendingPathComponent("run").path)
        let outcome = try trainer.run(resume: false) { event in
            if case let .epochFinished(summary) = event { losses.append(summary.trainLoss) }
        }
        XCTAssertEqual(outcome.epochsCompleted, 40)
        XCTAssertNil(outcome.bestEpoch, "no validation cases, no best checkpoint")
        let first = try XCTUnwrap(losses.first), last = losses.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan(last, first / 10, "loss \(first) → \(last): \(losses)")
    }

    func testTheSameSeedGivesTheSameLossCurveAndTheScoresMatchTheBestCheckpoint() throws {
        let path = try cache([
            syntheticCase("a", role: "train", centre: [9, 10, 8], radius: 4), syntheticCase("b", role: "train", centre: [11, 8, 7], radius: 3),
            syntheticCase("v", role: "val", centre: [10, 11, 8], radius: 4),
        ])
        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [16, 16, 16], batchSize: 2, epochs: 3, patchesPerVolume: 2,
                                                  learningRate: 2e-3, patience: nil, seed: 9, threads: 1)
        let data = TrainingSet(cachePath: path, trainCases: ["a", "b"], validationCases: ["v"], datasetVersion: "dsv-synthetic@1")
        let runs = [folder.appendingPathComponent("first"), folder.appendingPathComponent("second")]
        var outcomes: [TrainingOutcome] = []
        for run in runs {
            outcomes.append(try Trainer(configuration: configuration, data: data, directory: run.path).run(resume: false))
        }
        XCTAssertEqual(try losses(in: runs[0]), try losses(in: runs[1]), "bit-for-bit: every column but the time")
        XCTAssertEqual(try losses(in: runs[0]).count, 3)
        let bestFiles = try runs.map { try SafeTensors.read(path: $0.appendingPathComponent("checkpoints/best.safetensors").path) }
        XCTAssertEqual(bestFiles[0].tensors, bestFiles[1].tensors)
        XCTAssertEqual(bestFiles[0].metadata["dataset_version"], "dsv-synthetic@1")
        // Only the latest epoch's checkpoint is kept.
        let kept = try FileManager.default.contentsOfDirectory(atPath: runs[0].appendingPathComponent("checkpoints").path).sorted()
        XCTAssertEqual(kept, ["best.safetensors", "epoch-0003.optstate", "epoch-0003.safetensors"])

        // The best epoch's PTV70 MAE, recomputed from the best weights by hand.
        let outcome = outcomes[0]
        let bestEpoch = try XCTUnwrap(outcome.bestEpoch)
        let weights = try ModelWeights.from(bestFiles[0], file: "best")
        let validation = try syntheticCase("v", role: "val", centre: [10, 11, 8], radius: 4)
        let backend = try CPUBackend(threads: 1)
        let constraints = try Tensor(shape: [1, 13], elements: validation.constraints)
        let predicted = try configuration.validationWindow.predict(validation.input) { try weights.model.forward($0, constraints: constraints, on: backend) }
        let voxels = Self.extent.reduce(1, *)
        // Scored as predict writes it: no dose in the air around the patient.
        let air = ExternalAir.mask(normalizedCT: try Volume(shape: VolumeShape(rows: Self.extent[0], columns: Self.extent[1], slices: Self.extent[2]),
                                                            elements: Array(validation.input.elements.prefix(voxels))))
        XCTAssertTrue(air.contains(true) && air.contains(false), "the synthetic case has air around a body")
        var sum = 0.0, count = 0, absoluteSum = 0.0
        for voxel in 0..<voxels {
            let dose = air[voxel] ? 0 : min(max(predicted.elements[voxel], 0), 1.5)
            let error = Double(abs(dose * 70 - validation.dose.elements[voxel] * 70))
            absoluteSum += error
            if validation.masks[voxel] == 1 { sum += error; count += 1 }
        }
        let row = try losses(in: runs[0])[bestEpoch - 1].split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(try XCTUnwrap(Double(row[5])), absoluteSum / Double(voxels), accuracy: 1e-4, "global MAE, Gy")
        XCTAssertEqual(try XCTUnwrap(Double(row[6])), sum / Double(count), accuracy: 1e-4, "PTV70 MAE, Gy")
        XCTAssertEqual(try XCTUnwrap(outcome.bestValue), sum / Double(count), accuracy: 1e-4)
        XCTAssertEqual(row.last, "1")
    }

    func testResampledRunsAreScoredOnTheNativeGrid() throws {
        let resampling = try InPlaneResampling(factor: 2)
        let coarse = resampling.coarseExtent(Self.extent)
        // The cache `train --resample 2` builds: every array area-averaged; the validation case
        // keeps its native dose and masks.
        let cases = try [syntheticCase("a", role: "train", centre: [9, 10, 8], radius: 4), syntheticCase("v", role: "val", centre: [10, 11, 8], radius: 4)]
            .map { item in
                TrainingCacheFile.Case(
                    caseId: item.caseId, role: item.role, caseHash: item.caseHash,
                    input: try Tensor(shape: [1, 3] + coarse, elements: resampling.downsample(item.input.elements, channels: 3, native: Self.extent)),
                    dose: try Tensor(shape: [1, 1] + coarse, elements: resampling.downsample(item.dose.elements, channels: 1, native: Self.extent)),
                    masks: resampling.downsampleMasks(item.masks, channels: 2, native: Self.extent), constraints: item.constraints,
                    filledChannels: [], native: item.role == "val" ? (Self.extent, item.dose.elements, item.masks) : nil)
            }
        let path = folder.appendingPathComponent("coarse.h5").path
        var iterator = cases.makeIterator()
        try TrainingCacheFile.write(to: path, attributes: ["channels": #"["CT","PTV70","Rectum"]"#, "resample": "2"]) { iterator.next() }
        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [8, 8, 8], batchSize: 2, epochs: 1, patchesPerVolume: 2,
                                                  learningRate: 1e-3, patience: nil, seed: 2, threads: 1, resample: 2)
        let run = folder.appendingPathComponent("coarse-run")
        let outcome = try Trainer(configuration: configuration, data: TrainingSet(cachePath: path, trainCases: ["a"], validationCases: ["v"],
                                                                                  datasetVersion: "dsv-synthetic"), directory: run.path).run(resume: false)
        let weights = try ModelWeights.read(path: run.appendingPathComponent("checkpoints/best.safetensors").path)
        XCTAssertEqual(weights.resampling, resampling, "predict learns the grid from the weights")

        let validation = cases[1], native = try XCTUnwrap(validation.native)
        let constraints = try Tensor(shape: [1, 13], elements: validation.constraints)
        let backend = try CPUBackend(threads: 1)
        let predicted = try configuration.validationWindow.predict(validation.input) { try weights.model.forward($0, constraints: constraints, on: backend) }
        let onNativeGrid = resampling.upsample(predicted.elements, native: Self.extent)
        var sum = 0.0, count = 0
        for voxel in native.dose.indices where native.masks[voxel] == 1 {
            sum += Double(abs(min(max(onNativeGrid[voxel], 0), 1.5) * 70 - native.dose[voxel] * 70))
            count += 1
        }
        XCTAssertEqual(try XCTUnwrap(outcome.bestValue), sum / Double(count), accuracy: 1e-4, "PTV70 MAE on the native grid")

        var mismatched = configuration
        mismatched.resample = 1
        XCTAssertThrowsError(try Trainer(configuration: mismatched, data: TrainingSet(cachePath: path, trainCases: ["a"], validationCases: [],
                                                                                      datasetVersion: "dsv-synthetic"),
                                         directory: folder.appendingPathComponent("mismatch").path).run(resume: false),
                             "a cache on another grid than the run's") {
            XCTAssertEqual($0 as? EngineError, .cacheMismatch(file: path, expected: "resample factor 1 (the run's)", found: "2"))
        }
    }

    func testEarlyStoppingAndRefusals() throws {
        let path = try cache([syntheticCase("a", role: "train", centre: [9, 10, 8], radius: 4), syntheticCase("v", role: "val", centre: [10, 11, 8], radius: 4)])
        let data = TrainingSet(cachePath: path, trainCases: ["a"], validationCases: ["v"], datasetVersion: "dsv-synthetic")
        // A learning rate this small cannot improve on the first validation within two more.
        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [16, 16, 16], batchSize: 1, epochs: 8, patchesPerVolume: 1,
                                                  learningRate: 1e-12, patience: 2, seed: 1, threads: 2)
        let run = folder.appendingPathComponent("stop")
        let outcome = try Trainer(configuration: configuration, data: data, directory: run.path).run(resume: false)
        XCTAssertTrue(outcome.stoppedEarly)
        XCTAssertLessThan(outcome.epochsCompleted, 8)
        XCTAssertThrowsError(try Trainer(configuration: configuration, data: data, directory: run.path).run(resume: false),
                             "a folder with checkpoints is resumed, never restarted over") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.run_folder_not_empty")
            guard case let .runFolderNotEmpty(directory, _)? = $0 as? EngineError else { return XCTFail("\($0)") }
            XCTAssertEqual(directory, run.path)
        }
        var odd = configuration
        odd.patch = [18, 16, 16]
        XCTAssertThrowsError(try Trainer(configuration: odd, data: data, directory: folder.appendingPathComponent("odd").path)) { error in
            XCTAssertEqual((error as? EngineError)?.code, "engine.invalid_setting", "\(error)")
            XCTAssertEqual(Self.refusedSetting(error), "patch", "18 is not a multiple of 2^depth")
        }
        // A checkpoint that does not read back is never trained on, nor silently replaced by a fresh start.
        let broken = folder.appendingPathComponent("broken/checkpoints")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("not safetensors".utf8).write(to: broken.appendingPathComponent("epoch-0001.safetensors"))
        XCTAssertThrowsError(try Trainer(configuration: configuration, data: data, directory: broken.deletingLastPathComponent().path).run(resume: true)) { error in
            guard case let .cannotResume(directory, reasons)? = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(directory, broken.deletingLastPathComponent().path, "no intact checkpoint")
            XCTAssertEqual(reasons.count, 1, "the one torn checkpoint, named")
        }
    }

    /// The setting an `EngineError.invalidSetting` names (the engine gives most refusals this one code).
    private static func refusedSetting(_ error: any Error) -> String? {
        guard case let .invalidSetting(name, _, _)? = error as? EngineError else { return nil }
        return name
    }

    func testCasesKeptInMemoryGiveTheHDF5ReadersPatches() throws {
        let item = try syntheticCase("a", role: "train", centre: [9, 10, 8], radius: 4)
        let reader = try TrainingCacheReader(path: try cache([item]))
        let volume = try PatchSampler.Volume(input: item.input, dose: item.dose, highDoseThreshold: 0.5)
        let sampler = try PatchSampler(patch: [16, 8, 12], maxShift: 6)
        var generator = SeededGenerator(seed: 3)
        var outside = 0
        for index in 0..<40 {
            let draw = sampler.draw(in: volume.centres, index: index, generator: &generator)
            let reachesOut = (0..<3).contains { (axis: Int) -> Bool in
                draw.start[axis] < 0 || draw.start[axis] + sampler.patch[axis] > Self.extent[axis]
            }
            if reachesOut { outside += 1 }
            let fromFile = try sampler.oriented(
                input: Tensor(shape: [1, 3] + sampler.patch, elements: reader.readBox(caseId: "a", array: "input", start: draw.start, size: sampler.patch)),
                dose: Tensor(shape: [1, 1] + sampler.patch, elements: reader.readBox(caseId: "a", array: "dose", start: draw.start, size: sampler.patch)),
                by: draw)
            let inMemory = try sampler.patch(of: volume, by: draw)
            XCTAssertEqual(inMemory.input, fromFile.input, "draw \(index) at \(draw.start)")
            XCTAssertEqual(inMemory.dose, fromFile.dose, "draw \(index)")
        }
        XCTAssertGreaterThan(outside, 10, "boxes reaching past the volume are compared too")
    }

    /// Every recipe option in one run: the same steps whether the cases are kept in memory or read
    /// box by box, the options recorded in the configuration, and a warm-up that shows in the
    /// learning rate.
    func testRecipeOptionsTrainTheSameFromMemoryAndFromTheFile() throws {
        let path = try cache([syntheticCase("a", role: "train", centre: [9, 10, 8], radius: 4), syntheticCase("b", role: "train", centre: [11, 8, 7], radius: 3)])
        let configuration = TrainingConfiguration(preset: .tiny, depth: 2, patch: [16, 16, 16], batchSize: 2, epochs: 2, patchesPerVolume: 2,
                                                  learningRate: 2e-3, warmupSteps: 3, ptvUnderdoseWeight: 1, ptvUnderdoseTargets: .all, highDoseCentreThreshold: 0.5,
                                                  patience: nil, seed: 4, threads: 1)
        let data = TrainingSet(cachePath: path, trainCases: ["a", "b"], validationCases: [], datasetVersion: "dsv-synthetic")
        var rates: [Double] = []
        let memory = folder.appendingPathComponent("memory"), file = folder.appendingPathComponent("file")
        _ = try Trainer(configuration: configuration, data: data, directory: memory.path).run(resume: false) { event in
            if case let .epochFinished(summary) = event { rates.append(summary.learningRate) }
        }
        _ = try Trainer(configuration: configuration, data: data, directory: file.path, inMemoryLimitBytes: 0).run(resume: false)
        XCTAssertEqual(try losses(in: memory), try losses(in: file))
        let weights = try [memory, file].map { try SafeTensors.read(path: $0.appendingPathComponent("checkpoints/epoch-0002.safetensors").path) }
        XCTAssertEqual(weights[0].tensors, weights[1].tensors, "bit for bit")
        // 2 steps an epoch: epoch 1 ends inside the 3-step warm-up (lr of step 2 = 2/3 of the base).
        XCTAssertEqual(rates[0], 2e-3 * 2 / 3, accuracy: 1e-12)

        let recorded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(configuration))
        XCTAssertEqual(recorded, configuration)
    }

    func testRunRecordsFromBeforeTheRecipeOptionsReadAsTheFirstRecipe() throws {
        var fields = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfiguration(seed: 3))) as? [String: Any])
        for newer in ["warmupSteps", "ptvUnderdoseWeight", "ptvUnderdoseTargets", "highDoseCentreThreshold"] { XCTAssertNotNil(fields.removeValue(forKey: newer), newer) }
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: fields))
        XCTAssertEqual(decoded, TrainingConfiguration(seed: 3))
        XCTAssertEqual(decoded.highDoseCentreThreshold, 0.1, accuracy: 1e-9)
        XCTAssertEqual(decoded.ptvUnderdoseTargets, .ptv70, "the term covered PTV70 alone before it had a choice")
    }
}

import Support
import Dosimetry
import Engine
import Foundation
import XCTest

/// Checkpoints resume exactly, a torn pair is refused, and the cosine schedule is PyTorch's.
final class CheckpointTests: XCTestCase {
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private struct Batch { let input: Tensor, constraints: Tensor, target: Tensor }

    private func start() throws -> (BaselineUNet3D, AdamW, Batch) {
        var generator = SeededGenerator(seed: 21)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(baseWidth: 4, depth: 2, inputChannels: 3), generator: &generator)
        let batch = Batch(input: .uniform([2, 3, 8, 8, 4], bound: 1, generator: &generator), constraints: .uniform([2, 13], bound: 1, generator: &generator),
                          target: .uniform([2, 1, 8, 8, 4], bound: 1, generator: &generator))
        return (model, try AdamW(settings: .init(learningRate: 1e-3)), batch)
    }

    func testResumingFromACheckpointContinuesBitForBit() throws {
        let backend = try CPUBackend(threads: 1)
        var (model, optimizer, batch) = try start()
        for _ in 0..<2 {
            _ = try TrainingStep.run(model: &model, optimizer: &optimizer, input: batch.input, constraints: batch.constraints, target: batch.target, on: backend)
        }
        let base = folder.appendingPathComponent("epoch-2").path
        try Checkpoint.write(model: model, optimizer: optimizer, datasetVersion: "dsv-abc", state: ["epoch": "2", "best_value": "0.25"], to: base)
        let (resumedWeights, restoredOptimizer, state) = try Checkpoint.read(base: base)
        XCTAssertEqual(state, ["epoch": "2", "best_value": "0.25"], "the trainer's state comes back as written")
        var resumedOptimizer = restoredOptimizer
        let resumedDataset = resumedWeights.datasetVersion
        XCTAssertEqual(resumedWeights.model, model)
        XCTAssertEqual(resumedOptimizer, optimizer)
        XCTAssertEqual(resumedDataset, "dsv-abc")
        // The weights file alone is a plain weights file: parameters only, readable by predict.
        XCTAssertEqual(try SafeTensors.read(path: base + ".safetensors").tensors.count, model.parameters.count)

        var resumed = resumedWeights.model
        let continued = try TrainingStep.run(model: &model, optimizer: &optimizer, input: batch.input, constraints: batch.constraints,
                                             target: batch.target, on: backend)
        let fromCheckpoint = try TrainingStep.run(model: &resumed, optimizer: &resumedOptimizer, input: batch.input,
                                                  constraints: batch.constraints, target: batch.target, on: backend)
        XCTAssertEqual(continued, fromCheckpoint)
        XCTAssertEqual(resumed, model)
        XCTAssertEqual(resumedOptimizer.step, 3)
    }

    func testAPairFromTwoDifferentStepsIsRefused() throws {
        let backend = try CPUBackend(threads: 1)
        var (model, optimizer, batch) = try start()
        _ = try TrainingStep.run(model: &model, optimizer: &optimizer, input: batch.input, constraints: batch.constraints, target: batch.target, on: backend)
        let base = folder.appendingPathComponent("last").path
        try Checkpoint.write(model: model, optimizer: optimizer, datasetVersion: nil, to: base)
        let olderWeights = try Data(contentsOf: URL(fileURLWithPath: base + ".safetensors"))
        _ = try TrainingStep.run(model: &model, optimizer: &optimizer, input: batch.input, constraints: batch.constraints, target: batch.target, on: backend)
        try Checkpoint.write(model: model, optimizer: optimizer, datasetVersion: nil, to: base)
        // A kill between the two renames: the new optimiser state beside the old weights.
        try olderWeights.write(to: URL(fileURLWithPath: base + ".safetensors"))
        XCTAssertThrowsError(try Checkpoint.read(base: base)) { error in
            XCTAssertEqual((error as? SafeTensorsError)?.code, "safetensors.malformed", "\(error)")
            guard case let .malformed(file, _)? = error as? SafeTensorsError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "\(base).\(Checkpoint.optimizerExtension)", "the optimiser state is refused, not the weights")
        }
    }

    func testCosineScheduleIsPyTorchs() throws {
        let rates = try LayerReference().archive.read("cosine.lr").elements(as: Double.self)
        let schedule = try CosineSchedule(base: 1e-4, totalSteps: 10)
        for (step, rate) in rates.enumerated() {
            XCTAssertEqual(schedule.learningRate(atStep: step), rate, accuracy: 1e-12, "step \(step)")
        }
        XCTAssertThrowsError(try CosineSchedule(base: 1e-4, totalSteps: 0)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.invalid_setting")
        }
    }

    func testWarmUpRisesLinearlyThenTheCosineSpansTheRest() throws {
        let schedule = try CosineSchedule(base: 1e-3, totalSteps: 14, minimum: 1e-5, warmupSteps: 4)
        XCTAssertEqual((0..<4).map { schedule.learningRate(atStep: $0) }, [2.5e-4, 5e-4, 7.5e-4, 1e-3])
        let plain = try CosineSchedule(base: 1e-3, totalSteps: 10, minimum: 1e-5)
        for step in 4..<14 {
            XCTAssertEqual(schedule.learningRate(atStep: step), plain.learningRate(atStep: step - 4), accuracy: 1e-15, "step \(step)")
        }
        XCTAssertThrowsError(try CosineSchedule(base: 1e-3, totalSteps: 10, warmupSteps: -1)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.invalid_setting")
        }
    }
}

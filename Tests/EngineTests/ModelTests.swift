import Support
import Dosimetry
import Engine
import Foundation
import NumpyFormat
import XCTest

/// BaselineUNet3D against PyTorch (`Fixtures/make_model_reference.py`, `baseline_unet3d.py`):
/// weights PyTorch wrote give PyTorch's output, weights dosecurate wrote give in PyTorch what
/// they give here, and the parameter names, shapes and counts are PyTorch's.
final class ModelTests: XCTestCase {
    private func fixture(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent(name).path
    }

    private func reference(_ key: String) throws -> Tensor {
        let array = try NPZArchive(path: try fixture("unet_reference.npz")).read(key)
        return try Tensor(shape: array.shape, elements: array.elements(as: Float.self))
    }

    func testParameterCountsAreThePublishedModels() throws {
        XCTAssertEqual(try UNetConfiguration(preset: .paper, inputChannels: 10).parameterCount, 23_734_145)
        XCTAssertEqual(try UNetConfiguration(preset: .paper, inputChannels: 9).parameterCount, 23_732_801)
        let counts = try NPZArchive(path: try fixture("unet_reference.npz")).read("parameter_counts").elements(as: Int64.self)
        XCTAssertEqual(counts, [23_734_145, 23_732_801], "PyTorch's own count")
        XCTAssertEqual(UNetConfiguration.groups(forChannels: 48), 8)
        XCTAssertEqual(UNetConfiguration.groups(forChannels: 12), 6)
        XCTAssertEqual(UNetConfiguration.groups(forChannels: 7), 7)
        XCTAssertEqual(UNetConfiguration.groups(forChannels: 11), 1)
    }

    func testWeightsPyTorchWroteGivePyTorchsOutput() throws {
        let weights = try ModelWeights.read(path: try fixture("unet_torch.safetensors"))
        XCTAssertEqual(weights.model.configuration, try UNetConfiguration(baseWidth: 4, depth: 3, inputChannels: 10), "inferred from the names")
        XCTAssertNil(weights.datasetVersion)
        let y = try weights.model.forward(reference("torch_x"), constraints: reference("torch_constraints"), on: CPUBackend(threads: 2))
        assertClose(y, try reference("torch_y"), relative: 1e-4, "BaselineUNet3D output")
    }

    /// Inference runs its norms, activations, FiLM and residual sums in place and frees each input
    /// early; the arithmetic is the traced pass's, so the output is the same bits (identity and
    /// 1×1×1-conv residuals both occur in this model), with one thread and with two.
    func testInferenceGivesTheTracedOutputBitForBit() throws {
        let model = try ModelWeights.read(path: try fixture("unet_torch.safetensors")).model
        let (x, constraints) = (try reference("torch_x"), try reference("torch_constraints"))
        XCTAssertTrue(model.parameters.keys.contains("enc1.residual.weight") && !model.parameters.keys.contains("bottleneck.residual.weight"))
        for threads in [1, 2] {
            let backend = try CPUBackend(threads: threads)
            XCTAssertEqual(try model.forward(x, constraints: constraints, on: backend).elements,
                           try model.forwardTrace(x, constraints: constraints, on: backend).output.elements, "\(threads) thread(s)")
        }
    }

    /// The training loss MSE + 0.1·mean(ReLU(−y)) and every parameter's gradient through the whole
    /// network (106 tensors), against PyTorch's autograd, with one and two threads.
    func testEveryParameterGradientMatchesPyTorch() throws {
        let weights = try ModelWeights.read(path: try fixture("unet_torch.safetensors"))
        let model = weights.model
        for threads in [1, 2] {
            let backend = try CPUBackend(threads: threads)
            let trace = try model.forwardTrace(reference("torch_x"), constraints: reference("torch_constraints"), on: backend)
            assertClose(trace.output, try reference("torch_y"), relative: 1e-4, "traced output")
            let mse = try Loss.meanSquaredError(prediction: trace.output, target: reference("torch_target"), on: backend)
            let penalty = Loss.negativePenalty(prediction: trace.output, on: backend)
            XCTAssertEqual(mse.value + 0.1 * penalty.value, try reference("torch_loss").elements[0], accuracy: 1e-5)
            let outputGradient = try ResidualAdd.forward(mse.gradient, backend.scaled(penalty.gradient, by: 0.1), on: backend)
            let gradients = try model.gradients(of: trace, outputGradient: outputGradient, on: backend)
            XCTAssertEqual(Set(gradients.keys), Set(model.parameters.keys), "a gradient for every parameter, nothing else")
            // With b = 4 every GroupNorm group is one channel, so the bias of each conv before a
            // norm cancels and its gradient is zero up to rounding (below 3e-7 in both); every
            // other gradient (largest elements 2e-3 and up) is compared relative to its largest element.
            for name in gradients.keys.sorted() {
                let actual = try XCTUnwrap(gradients[name]), expected = try reference("grad.\(name)")
                if expected.maximumMagnitude < 1e-6 {
                    XCTAssertLessThan(actual.maximumMagnitude, 1e-6, "\(threads) thread(s): ∂L/∂\(name) is zero up to rounding")
                } else {
                    assertClose(actual, expected, relative: 1e-4, "\(threads) thread(s): ∂L/∂\(name)")
                }
            }
        }
    }

    /// One training step (the loss above, clipping at 1.0, AdamW lr 1e-4) against PyTorch's.
    func testTrainingStepMatchesPyTorch() throws {
        var model = try ModelWeights.read(path: try fixture("unet_torch.safetensors")).model
        var optimizer = try AdamW(settings: .init(learningRate: 1e-4, weightDecay: 1e-2))
        let result = try TrainingStep.run(model: &model, optimizer: &optimizer, input: reference("torch_x"),
                                          constraints: reference("torch_constraints"), target: reference("torch_target"), on: CPUBackend(threads: 2))
        XCTAssertEqual(result.loss, try reference("torch_loss").elements[0], accuracy: 1e-5)
        XCTAssertEqual(result.gradientNorm, try reference("step_gradient_norm").elements[0], accuracy: 1e-4 * result.gradientNorm)
        XCTAssertEqual(optimizer.step, 1)
        for name in ["constraint_mlp.0.weight", "enc1.conv1.weight", "enc2.residual.weight", "bottleneck.norm2.weight",
                     "dec1.cond_mlp.1.weight", "out_conv.weight", "out_conv.bias"] {
            assertClose(try XCTUnwrap(model.parameters[name]), try reference("step.\(name)"), relative: 1e-5, "\(name) after one step")
        }
    }

    func testWeightsDosecurateWroteGiveTheSameOutputInPyTorch() throws {
        // The committed file is byte for byte what dosecurate writes for this seed …
        var generator = SeededGenerator(seed: 7)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(preset: .tiny, depth: 2, inputChannels: 9), generator: &generator)
        let committed = try XCTUnwrap(FileManager.default.contents(atPath: try fixture("unet_dosecurate.safetensors")))
        XCTAssertEqual(ModelWeights(model: model).safeTensors.encoded(), [UInt8](committed))
        // … and PyTorch, loading it with strict names, computed this output from it.
        let y = try model.forward(reference("dosecurate_x"), constraints: reference("dosecurate_constraints"), on: CPUBackend(threads: 1))
        assertClose(y, try reference("dosecurate_y"), relative: 1e-4, "BaselineUNet3D output from dosecurate's weights")
    }

    func testWeightsRoundTripWithMetadata() throws {
        var generator = SeededGenerator(seed: 3)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(baseWidth: 6, depth: 1, inputChannels: 2), generator: &generator)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ModelWeights(model: model, datasetVersion: "dsv-0123456789ab").write(to: path)
        let read = try ModelWeights.read(path: path)
        XCTAssertEqual(read.model, model)
        XCTAssertEqual(read.datasetVersion, "dsv-0123456789ab")
        let metadata = try SafeTensors.read(path: path).metadata
        XCTAssertEqual(metadata["depth"], "1")
        XCTAssertEqual(metadata["input_channels"], "2")
        XCTAssertNil(metadata["preset"], "b = 6 is no preset")
    }

    func testRefusesInputsTheModelCannotTake() throws {
        var generator = SeededGenerator(seed: 4)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(baseWidth: 4, depth: 2, inputChannels: 3), generator: &generator)
        let backend = try CPUBackend(threads: 1)
        let constraints = Tensor.zeros([1, 13])
        XCTAssertThrowsError(try model.forward(.zeros([1, 3, 4, 6, 4]), constraints: constraints, on: backend), "6 is not a multiple of 4") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.shape")
        }
        XCTAssertThrowsError(try model.forward(.zeros([1, 2, 4, 4, 4]), constraints: constraints, on: backend), "2 channels, not 3") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.shape")
        }
        XCTAssertThrowsError(try model.forward(.zeros([1, 3, 4, 4, 4]), constraints: .zeros([1, 12]), on: backend), "12 constraints") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.mismatch")
        }
        XCTAssertEqual(try model.forward(.zeros([1, 3, 4, 4, 4]), constraints: constraints, on: backend).shape, [1, 1, 4, 4, 4])
        var parameters = model.parameters
        parameters["enc1.extra"] = .zeros([1])
        XCTAssertThrowsError(try BaselineUNet3D(configuration: model.configuration, parameters: parameters), "an extra tensor") {
            XCTAssertEqual($0 as? EngineError, .unexpectedTensor(name: "enc1.extra", configuration: "\(model.configuration)"))
        }
        parameters = model.parameters
        parameters["enc1.conv1.bias"] = .zeros([5])
        XCTAssertThrowsError(try BaselineUNet3D(configuration: model.configuration, parameters: parameters), "a tensor of the wrong shape") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.mismatch")
        }
        parameters = model.parameters
        parameters["out_conv.bias"] = nil
        XCTAssertThrowsError(try BaselineUNet3D(configuration: model.configuration, parameters: parameters), "a missing tensor") {
            XCTAssertEqual($0 as? EngineError, .missingTensor(name: "out_conv.bias", configuration: "\(model.configuration)"))
        }
    }
}

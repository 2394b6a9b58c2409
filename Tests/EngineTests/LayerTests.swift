import Engine
import XCTest

/// Forward and backward of every layer against PyTorch 1.13, to 1e-5 of each tensor's largest
/// magnitude, with one and with two threads.
final class LayerTests: XCTestCase {
    let reference = Result { try LayerReference() }

    func backends() throws -> [CPUBackend] { [try CPUBackend(threads: 1), try CPUBackend(threads: 2)] }

    func testConvolutionsMatchPyTorch() throws {
        let reference = try reference.get()
        // conv3_wide and conv3_ragged are wide enough for the forward product's kernel-row columns.
        for prefix in ["conv3", "conv3_thin", "conv1", "conv3_wide", "conv3_ragged"] {
            let conv = try Conv3d(weight: reference.tensor("\(prefix).weight"), bias: reference.tensor("\(prefix).bias"))
            let x = try reference.tensor("\(prefix).x")
            for backend in try backends() {
                let label = "\(prefix), \(backend.threads) thread(s)"
                assertClose(try conv.forward(x, on: backend), try reference.tensor("\(prefix).y"), label + " y")
                let gradients = try conv.backward(input: x, outputGradient: reference.tensor("\(prefix).g"), on: backend)
                assertClose(gradients.input, try reference.tensor("\(prefix).dx"), label + " dx")
                assertClose(gradients.weight, try reference.tensor("\(prefix).dweight"), label + " dweight")
                assertClose(gradients.bias, try reference.tensor("\(prefix).dbias"), label + " dbias")
            }
        }
    }

    func testGroupNormMatchesPyTorch() throws {
        let reference = try reference.get()
        let norm = try GroupNorm(groups: 3, scale: reference.tensor("groupnorm.weight"), shift: reference.tensor("groupnorm.bias"))
        let x = try reference.tensor("groupnorm.x")
        for backend in try backends() {
            let forward = try norm.forward(x, on: backend)
            assertClose(forward.output, try reference.tensor("groupnorm.y"), "GroupNorm y")
            let gradients = try norm.backward(input: x, statistics: forward.statistics, outputGradient: reference.tensor("groupnorm.g"), on: backend)
            assertClose(gradients.input, try reference.tensor("groupnorm.dx"), "GroupNorm dx")
            assertClose(gradients.scale, try reference.tensor("groupnorm.dweight"), "GroupNorm dweight")
            assertClose(gradients.shift, try reference.tensor("groupnorm.dbias"), "GroupNorm dbias")
        }
    }

    func testSiLUMatchesPyTorch() throws {
        let reference = try reference.get()
        let x = try reference.tensor("silu.x")
        for backend in try backends() {
            assertClose(SiLU.forward(x, on: backend), try reference.tensor("silu.y"), "SiLU y")
            assertClose(try SiLU.backward(input: x, outputGradient: reference.tensor("silu.g"), on: backend), try reference.tensor("silu.dx"), "SiLU dx")
        }
    }

    func testLinearMatchesPyTorch() throws {
        let reference = try reference.get()
        let linear = try Linear(weight: reference.tensor("linear.weight"), bias: reference.tensor("linear.bias"))
        let x = try reference.tensor("linear.x")
        for backend in try backends() {
            assertClose(try linear.forward(x, on: backend), try reference.tensor("linear.y"), "Linear y")
            let gradients = try linear.backward(input: x, outputGradient: reference.tensor("linear.g"), on: backend)
            assertClose(gradients.input, try reference.tensor("linear.dx"), "Linear dx")
            assertClose(gradients.weight, try reference.tensor("linear.dweight"), "Linear dweight")
            assertClose(gradients.bias, try reference.tensor("linear.dbias"), "Linear dbias")
        }
    }

    func testMaxPoolMatchesPyTorchOnOddExtents() throws {
        let reference = try reference.get()
        let x = try reference.tensor("maxpool.x")
        for backend in try backends() {
            let forward = try MaxPool3d.forward(x, on: backend)
            // Pooling picks elements: exactly equal.
            XCTAssertEqual(forward.output, try reference.tensor("maxpool.y"))
            let dx = try MaxPool3d.backward(input: x, forward: forward, outputGradient: reference.tensor("maxpool.g"), on: backend)
            XCTAssertEqual(dx, try reference.tensor("maxpool.dx"))
        }
    }

    func testMaxPoolTiesGoToTheFirstInputAndNaNPropagates() throws {
        let backend = try CPUBackend(threads: 1)
        var elements = [Float](repeating: 1, count: 8)
        let ties = try Tensor(shape: [1, 1, 2, 2, 2], elements: elements)
        let tied = try MaxPool3d.forward(ties, on: backend)
        let routed = try MaxPool3d.backward(input: ties, forward: tied, outputGradient: Tensor(shape: [1, 1, 1, 1, 1], elements: [5]), on: backend)
        XCTAssertEqual(routed.elements, [5, 0, 0, 0, 0, 0, 0, 0])
        elements[3] = .nan
        let pooled = try MaxPool3d.forward(Tensor(shape: [1, 1, 2, 2, 2], elements: elements), on: backend)
        XCTAssertTrue(pooled.output.elements[0].isNaN)
        XCTAssertEqual(pooled.winners, [3])
    }

    func testTrilinearUpsamplingMatchesPyTorchIncludingEdges() throws {
        let reference = try reference.get()
        for prefix in ["upsample", "upsample_edge"] {
            let x = try reference.tensor("\(prefix).x")
            for backend in try backends() {
                assertClose(try TrilinearUpsample.forward(x, on: backend), try reference.tensor("\(prefix).y"), "\(prefix) y")
                assertClose(try TrilinearUpsample.backward(input: x, outputGradient: reference.tensor("\(prefix).g"), on: backend),
                            try reference.tensor("\(prefix).dx"), "\(prefix) dx")
            }
        }
    }

    func testFiLMMatchesPyTorch() throws {
        let reference = try reference.get()
        let (x, scale, shift) = (try reference.tensor("film.x"), try reference.tensor("film.scale"), try reference.tensor("film.shift"))
        for backend in try backends() {
            assertClose(try FiLM.forward(x, scale: scale, shift: shift, on: backend), try reference.tensor("film.y"), "FiLM y")
            let gradients = try FiLM.backward(input: x, scale: scale, outputGradient: reference.tensor("film.g"), on: backend)
            assertClose(gradients.input, try reference.tensor("film.dx"), "FiLM dx")
            assertClose(gradients.scale, try reference.tensor("film.dscale"), "FiLM dscale")
            assertClose(gradients.shift, try reference.tensor("film.dshift"), "FiLM dshift")
        }
    }

    func testConcatenationAndResidualAreExactInverses() throws {
        let backend = try CPUBackend(threads: 2)
        let first = try Tensor(shape: [2, 1, 1, 1, 2], elements: [1, 2, 3, 4])
        let second = try Tensor(shape: [2, 2, 1, 1, 2], elements: [10, 11, 12, 13, 20, 21, 22, 23])
        let joined = try ChannelConcat.forward(first, second, on: backend)
        XCTAssertEqual(joined.shape, [2, 3, 1, 1, 2])
        // Each sample's channels stay together: sample 0 is [first 0, second 0].
        XCTAssertEqual(joined.elements, [1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23])
        let parts = try ChannelConcat.backward(outputGradient: joined, firstChannels: 1, on: backend)
        XCTAssertEqual(parts.first, first)
        XCTAssertEqual(parts.second, second)
        XCTAssertThrowsError(try ChannelConcat.forward(first, try Tensor(shape: [2, 1, 1, 2, 1], elements: [0, 0, 0, 0]), on: backend)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.mismatch")
        }
        XCTAssertEqual(try ResidualAdd.forward(first, first, on: backend).elements, [2, 4, 6, 8])
        XCTAssertThrowsError(try ResidualAdd.forward(first, second, on: backend)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.mismatch")
        }
    }

    func testLossesMatchPyTorch() throws {
        let reference = try reference.get()
        let backend = try CPUBackend(threads: 2)
        let mse = try Loss.meanSquaredError(prediction: reference.tensor("mse.prediction"), target: reference.tensor("mse.target"), on: backend)
        XCTAssertEqual(mse.value, try reference.tensor("mse.loss").elements[0], accuracy: 1e-6)
        assertClose(mse.gradient, try reference.tensor("mse.dprediction"), "MSE gradient")
        let penalty = Loss.negativePenalty(prediction: try reference.tensor("negative.prediction"), on: backend)
        XCTAssertEqual(penalty.value, try reference.tensor("negative.loss").elements[0], accuracy: 1e-6)
        XCTAssertGreaterThan(penalty.value, 0)
        assertClose(penalty.gradient, try reference.tensor("negative.dprediction"), "negative-penalty gradient")
    }

    /// B = 2, one channel of SDF after the CT, 2×1×2 voxels: sample 0 has three PTV70 voxels
    /// (SDF < 0; the voxel at 0 is outside, the spec's `sdf < 0`), sample 1 one. Of the four, two
    /// are underdosed, by 0.3 and 0.1; overdose inside and underdose outside cost nothing.
    func testThePTVUnderdoseTermAndItsGradientByHand() throws {
        let ct = [Float](repeating: 0.5, count: 4)
        let input = try Tensor(shape: [2, 2, 2, 1, 2], elements: ct + [-0.2, -0.1, -0.3, 0] + ct + [0.4, -0.5, 0.2, 0.1])
        let target = try Tensor(shape: [2, 1, 2, 1, 2], elements: [1.0, 1.0, 1.0, 0.8, 1.0, 1.0, 0.5, 0.4])
        let prediction = try Tensor(shape: [2, 1, 2, 1, 2], elements: [0.7, 1.2, 1.0, 0.1, 0.2, 0.9, 0.1, 0.1])
        let term = try Loss.ptvUnderdose(prediction: prediction, target: target, input: input)
        XCTAssertEqual(term.value, (0.3 * 0.3 + 0.1 * 0.1) / 4, accuracy: 1e-7)
        let expected: [Float] = [-2 * 0.3 / 4, 0, 0, 0, 0, -2 * 0.1 / 4, 0, 0]
        for (found, wanted) in zip(term.gradient.elements, expected) { XCTAssertEqual(found, wanted, accuracy: 1e-7) }

        let noTarget = try Tensor(shape: [1, 2, 2, 1, 2], elements: ct + [0.1, 0.2, 0.3, 0.4])
        let none = try Loss.ptvUnderdose(prediction: Tensor(shape: [1, 1, 2, 1, 2], elements: [0, 0, 0, 0]),
                                         target: Tensor(shape: [1, 1, 2, 1, 2], elements: [1, 1, 1, 1]), input: noTarget)
        XCTAssertEqual(none.value, 0, "a batch without PTV70 voxels")
        XCTAssertEqual(none.gradient.elements, [0, 0, 0, 0])
        XCTAssertThrowsError(try Loss.ptvUnderdose(prediction: prediction, target: target,
                                                   input: Tensor(shape: [2, 1, 2, 1, 2], elements: [Float](repeating: 0, count: 8))),
                             "an input without the PTV70 channel") {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.shape")
        }
    }

    /// One case, 2×1×2 voxels, the network input's 10 channels (CT, then the standard order):
    /// voxel 0 lies in PTV70 and PTV56 (counted once), voxel 1 in PTV56 only, voxel 2 in PTV50.4
    /// only (overdosed: free), voxel 3 in the prostate only (not a target). Over every target,
    /// two of three voxels are underdosed, by 0.1 and 0.2, each held to its own dose; over PTV70
    /// only, one of one. An input without the PTV50.4 channel leaves voxel 2 out.
    func testTheUnderdoseTermOverEveryTargetByHand() throws {
        var channels = [[Float]](repeating: [1, 1, 1, 1], count: 10)
        channels[0] = [0.5, 0.5, 0.5, 0.5]
        channels[1] = [-0.1, 0.1, 0.3, 0.4]        // PTV70
        channels[2] = [-0.3, -0.05, 0.2, 0.3]      // PTV56
        channels[3] = [-0.2, 0.2, 0.3, -0.1]       // Prostate
        channels[9] = [0.2, 0.1, -0.2, 0.5]        // PTV50.4
        let target = try Tensor(shape: [1, 1, 2, 1, 2], elements: [1.0, 0.8, 0.72, 0.5])
        let prediction = try Tensor(shape: [1, 1, 2, 1, 2], elements: [0.9, 0.6, 0.8, 0.1])
        let input = try Tensor(shape: [1, 10, 2, 1, 2], elements: channels.flatMap { $0 })

        let every = try Loss.ptvUnderdose(prediction: prediction, target: target, input: input, targets: .all)
        XCTAssertEqual(every.value, (0.1 * 0.1 + 0.2 * 0.2) / 3, accuracy: 1e-7)
        for (found, wanted) in zip(every.gradient.elements, [-2 * 0.1 / 3, -2 * 0.2 / 3, 0, 0] as [Float]) { XCTAssertEqual(found, wanted, accuracy: 1e-7) }

        let ptv70 = try Loss.ptvUnderdose(prediction: prediction, target: target, input: input, targets: .ptv70)
        XCTAssertEqual(ptv70.value, 0.1 * 0.1, accuracy: 1e-7)
        for (found, wanted) in zip(ptv70.gradient.elements, [-2 * 0.1, 0, 0, 0] as [Float]) { XCTAssertEqual(found, wanted, accuracy: 1e-7) }

        let nine = try Tensor(shape: [1, 9, 2, 1, 2], elements: channels.prefix(9).flatMap { $0 })
        let withoutPTV50 = try Loss.ptvUnderdose(prediction: prediction, target: target, input: nine, targets: .all)
        XCTAssertEqual(withoutPTV50.value, (0.1 * 0.1 + 0.2 * 0.2) / 2, accuracy: 1e-7)
        XCTAssertEqual(Loss.PTVTargets.all.inputChannels, [1, 2, 9], "PTV70, PTV56 and PTV50.4 after the CT")
    }

    func testAdamWStepsMatchPyTorch() throws {
        let reference = try reference.get()
        let backend = try CPUBackend(threads: 2)
        var parameters = [try reference.tensor("adamw.p0"), try reference.tensor("adamw.p1")]
        var optimizer = try AdamW(settings: .init(learningRate: 1e-3, weightDecay: 1e-2))
        for (step, learningRate) in [1e-3, 1e-3, 1e-4].enumerated() {
            let key = "adamw.step\(step + 1)"
            optimizer.settings.learningRate = learningRate
            try optimizer.update(&parameters, gradients: [reference.tensor("\(key).g0"), reference.tensor("\(key).g1")], on: backend)
            assertClose(parameters[0], try reference.tensor("\(key).p0"), relative: 1e-6, "\(key) p0")
            assertClose(parameters[1], try reference.tensor("\(key).p1"), relative: 1e-6, "\(key) p1")
            assertClose(try Tensor(shape: [4, 3], elements: optimizer.moments[0].first), try reference.tensor("\(key).m0"), "\(key) exp_avg")
            assertClose(try Tensor(shape: [4, 3], elements: optimizer.moments[0].second), try reference.tensor("\(key).v0"), "\(key) exp_avg_sq")
        }
        XCTAssertEqual(optimizer.step, 3)
        XCTAssertThrowsError(try optimizer.update(&parameters, gradients: [parameters[0]], on: backend)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.inconsistent_state", "one gradient for two parameters")
        }
    }

    func testGradientClippingMatchesPyTorch() throws {
        let reference = try reference.get()
        let backend = try CPUBackend(threads: 2)
        for name in ["clip_above", "clip_below"] {
            var gradients = [try reference.tensor("\(name).g0"), try reference.tensor("\(name).g1")]
            let norm = try GradientClipping.clipNorm(&gradients, maxNorm: 1, on: backend)
            XCTAssertEqual(norm, try reference.tensor("\(name).norm").elements[0], accuracy: 1e-5 * norm)
            assertClose(gradients[0], try reference.tensor("\(name).clipped0"), "\(name) g0")
            assertClose(gradients[1], try reference.tensor("\(name).clipped1"), "\(name) g1")
        }
    }
}

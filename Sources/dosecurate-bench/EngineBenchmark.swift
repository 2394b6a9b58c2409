import Support
import CBLAS
import Dispatch
import Dosimetry
import Engine
import Foundation

/// Issue 11's benchmark: forward + backward of every conv shape of the `paper` U-Net (b = 48,
/// 10 inputs, depth 4) on a 64³ patch at batch 2, and of GroupNorm and ×2 upsampling, in the
/// engine and in PyTorch (`Benchmarks/engine_layers_torch.py`, Debian's python3-torch) on the same
/// machine and thread count; plus OpenBLAS sgemm's throughput, the practical ceiling.
struct EngineBenchmark {
    let threads: Int
    let repeats: Int
    let batch = 2
    let script: String

    struct ConvShape {
        let name: String, input: Int, output: Int, kernel: Int, size: Int
        /// Forward, input gradient and weight gradient: three products of 2·N·Cout·Cin·k³·S flops.
        func flops(batch: Int) -> Double {
            3 * 2 * Double(batch * output * input * kernel * kernel * kernel) * Double(size * size * size)
        }
    }

    /// Every distinct conv of the paper U-Net at a 64³ patch (the bottleneck's two convs are the same shape).
    static let shapes: [ConvShape] = {
        let base = 48, inputs = 10
        var shapes: [ConvShape] = []
        let widths = [base, 2 * base, 4 * base, 8 * base]
        var previous = inputs
        for (level, width) in widths.enumerated() {
            let size = 64 >> level
            shapes.append(ConvShape(name: "enc\(level + 1).conv1", input: previous, output: width, kernel: 3, size: size))
            shapes.append(ConvShape(name: "enc\(level + 1).conv2", input: width, output: width, kernel: 3, size: size))
            shapes.append(ConvShape(name: "enc\(level + 1).residual", input: previous, output: width, kernel: 1, size: size))
            previous = width
        }
        shapes.append(ConvShape(name: "bottleneck.conv", input: 8 * base, output: 8 * base, kernel: 3, size: 4))
        let decoderOutputs = [base, base, 2 * base, 4 * base]
        for level in stride(from: 3, through: 0, by: -1) {
            let size = 64 >> level, concatenated = 2 * widths[level], width = decoderOutputs[level]
            shapes.append(ConvShape(name: "dec\(level + 1).conv1", input: concatenated, output: width, kernel: 3, size: size))
            shapes.append(ConvShape(name: "dec\(level + 1).conv2", input: width, output: width, kernel: 3, size: size))
            shapes.append(ConvShape(name: "dec\(level + 1).residual", input: concatenated, output: width, kernel: 1, size: size))
        }
        shapes.append(ConvShape(name: "out_conv", input: base, output: 1, kernel: 1, size: 64))
        return shapes
    }()

    struct Measurement {
        let shape: ConvShape, flops: Double, engine: Double, torch: Double?, scratchBytes: Int
    }

    func run(python: String?) throws -> (convs: [Measurement], groupNorm: (Double, Double?), upsample: (Double, Double?), torch: String?) {
        let backend = try CPUBackend(threads: threads)
        var generator = SeededGenerator(seed: 11)
        var convs: [(ConvShape, Double, Int)] = []
        for shape in Self.shapes {
            let conv = try Conv3d(inputChannels: shape.input, outputChannels: shape.output, kernelSize: shape.kernel, generator: &generator)
            let layout = VolumeLayout(batch: batch, channels: shape.input, depth: shape.size, height: shape.size, width: shape.size)
            let x = Tensor.uniform(layout.shape, bound: 1, generator: &generator), g = Tensor.uniform(layout.with(channels: shape.output).shape, bound: 1, generator: &generator)
            let seconds = try bestTime {
                _ = try conv.forward(x, on: backend)
                _ = try conv.backward(input: x, outputGradient: g, on: backend)
            }
            convs.append((shape, seconds, backend.conv3dScratchBytes(layout: layout, kernelSize: shape.kernel)))
        }
        let norm = try GroupNorm(groups: 8, channels: 48)
        let normInput = Tensor.uniform([batch, 48, 64, 64, 64], bound: 1, generator: &generator), normGradient = Tensor.uniform(normInput.shape, bound: 1, generator: &generator)
        let groupNorm = try bestTime {
            let forward = try norm.forward(normInput, on: backend)
            _ = try norm.backward(input: normInput, statistics: forward.statistics, outputGradient: normGradient, on: backend)
        }
        let coarse = Tensor.uniform([batch, 48, 32, 32, 32], bound: 1, generator: &generator), fineGradient = Tensor.uniform([batch, 48, 64, 64, 64], bound: 1, generator: &generator)
        let upsample = try bestTime {
            _ = try TrilinearUpsample.forward(coarse, on: backend)
            _ = try TrilinearUpsample.backward(input: coarse, outputGradient: fineGradient, on: backend)
        }

        var torch: [String: Any]?
        if let python {
            let job: [String: Any] = [
                "threads": threads, "repeats": repeats, "batch": batch,
                "convs": Self.shapes.map { ["name": $0.name, "in": $0.input, "out": $0.output, "kernel": $0.kernel, "size": $0.size] },
                "groupnorm": ["channels": 48, "groups": 8, "size": 64], "upsample": ["channels": 48, "size": 32],
            ]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: job), as: UTF8.self)
            let output = try Subprocess.run(python, [script, text])
            torch = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        }
        let torchConvs = torch?["convs"] as? [String: Double]
        return (convs.map { Measurement(shape: $0.0, flops: $0.0.flops(batch: batch), engine: $0.1, torch: torchConvs?[$0.0.name], scratchBytes: $0.2) },
                (groupNorm, torch?["groupnorm"] as? Double), (upsample, torch?["upsample"] as? Double),
                torch.map { "PyTorch \($0["torch"] ?? "?"), \($0["threads"] ?? "?") threads, oneDNN \($0["mkldnn"] ?? "?")" })
    }

    /// OpenBLAS sgemm on square 2048² matrices: with `lanes` independent single-thread products at
    /// once (how the engine uses it) and with OpenBLAS's own threads on one product.
    static func sgemmGigaflops(lanes: Int) -> (independent: Double, blasThreaded: Double) {
        let n = 2048
        var generator = SeededGenerator(seed: 5)
        let a = (0..<(n * n)).map { _ in Float(generator.nextUniform(-1, 1)) }
        let flops = 2 * Double(n) * Double(n) * Double(n)
        @Sendable func product(_ c: UnsafeMutablePointer<Float>) {
            dc_sgemm_row_major(0, 0, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), a, Int32(n), 0, c, Int32(n))
        }
        let outputs = UnsafeMutableBufferPointer<Float>.allocate(capacity: n * n * lanes)
        defer { outputs.deallocate() }
        nonisolated(unsafe) let shared = outputs
        dc_blas_set_threads(1)
        let independent = (0..<3).map { _ in
            timed { DispatchQueue.concurrentPerform(iterations: lanes) { lane in product(shared.baseAddress! + lane * n * n) } }
        }.min() ?? .nan
        dc_blas_set_threads(Int32(lanes))
        let threaded = (0..<3).map { _ in timed { product(shared.baseAddress!) } }.min() ?? .nan
        dc_blas_set_threads(1)
        return (flops * Double(lanes) / independent / 1e9, flops / threaded / 1e9)
    }

    /// One BaselineUNet3D training step (batch 2, 64³, 10 inputs, depth 4; forward, MSE + 0.1·mean(ReLU(−y)),
    /// backward, clipping, AdamW): the best of `repeats` after a warm-up. Run in a child process
    /// (`dosecurate-bench engine-step PRESET`) so its peak RSS is the step's alone.
    static func trainingStepSeconds(preset: UNetConfiguration.Preset, threads: Int, repeats: Int) throws -> Double {
        let backend = try CPUBackend(threads: threads)
        var generator = SeededGenerator(seed: 0)
        var model = try BaselineUNet3D(configuration: UNetConfiguration(preset: preset, inputChannels: 10), generator: &generator)
        var optimizer = try AdamW(settings: .init(learningRate: 1e-4, weightDecay: 1e-2))
        let x = Tensor.uniform([2, 10, 64, 64, 64], bound: 1, generator: &generator)
        let constraints = Tensor.uniform([2, 13], bound: 1, generator: &generator)
        var target = Tensor.uniform([2, 1, 64, 64, 64], bound: 0.5, generator: &generator)
        target.elements = target.elements.map { $0 + 0.5 }
        return try bestOf(repeats) {
            _ = try TrainingStep.run(model: &model, optimizer: &optimizer, input: x, constraints: constraints, target: target, on: backend)
        }
    }

    /// One forward pass of a fresh model over a (1, 10, patch³) tile without a trace, as `predict`
    /// runs each tile: the best of `repeats` after a warm-up. Run in a child process
    /// (`dosecurate-bench engine-inference PRESET`) so its peak RSS is the pass's alone.
    static func inferenceSeconds(preset: UNetConfiguration.Preset, patch: Int, threads: Int, repeats: Int) throws -> Double {
        let backend = try CPUBackend(threads: threads, freedMemory: .returnedToSystem)
        var generator = SeededGenerator(seed: 0)
        let model = try BaselineUNet3D(configuration: UNetConfiguration(preset: preset, inputChannels: 10), generator: &generator)
        let x = Tensor.uniform([1, 10, patch, patch, patch], bound: 1, generator: &generator)
        let constraints = Tensor.uniform([1, 13], bound: 1, generator: &generator)
        return try bestOf(repeats) { _ = try model.forward(x, constraints: constraints, on: backend) }
    }

    private func bestTime(_ body: () throws -> Void) throws -> Double { try Self.bestOf(repeats, body) }

    /// The fastest of `repeats` runs of `body` after one warm-up run.
    static func bestOf(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var best = Double.infinity
        for _ in 0..<repeats { best = min(best, try timedThrowing(body)) }
        return best
    }

    static func timed(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func timedThrowing(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

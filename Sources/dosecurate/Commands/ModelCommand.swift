import Support
import ArgumentParser
import Dosimetry
import Engine
import Foundation
import Workflows

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "BaselineUNet3D weights: initialise them, run the bare network.",
        subcommands: [ModelInitCommand.self, ModelForwardCommand.self]
    )
}

struct ModelInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write freshly initialised BaselineUNet3D weights (PyTorch's default initialisation, seeded) as safetensors.",
        discussion: "Exit status: 0 when written, 2 when the settings are invalid or the file cannot be written."
    )

    @OptionGroup var printing: JSONOption

    @Option(name: .long, help: "The model's width: tiny (b = 8), cpu (b = 16) or paper (b = 48).")
    var preset: UNetConfiguration.Preset = .tiny

    @Option(name: .long, help: "Encoder levels (the published model has 4).")
    var depth: Int = 4

    @Option(name: .long, help: "Input channels: CT plus every SDF channel (10 for v2.4 cases, 9 for v2.3).")
    var inputs: Int = 10

    @Option(name: .long, help: "Seed of the initialisation.")
    var seed: UInt64 = 0

    @Option(name: [.short, .long], help: "The safetensors file to write.")
    var output: String

    func run() throws {
        let configuration = try UNetConfiguration(preset: preset, depth: depth, inputChannels: inputs)
        var generator = SeededGenerator(seed: seed)
        try ModelWeights(model: BaselineUNet3D(configuration: configuration, generator: &generator)).write(to: output)
        if printing.json {
            return JSONOutput.print(["file": .string(output), "configuration": .string("\(configuration)"),
                                     "parameters": .int(Int64(configuration.parameterCount)), "seed": .int(Int64(seed))], result: "model-init")
        }
        print("wrote \(output): \(configuration), \(configuration.parameterCount.formatted()) parameters, seed \(seed)")
    }
}

struct ModelForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Run the bare network on x (N, C, D, H, W) and constraints (N, 13) from an .npz; write y (N, 1, D, H, W).",
        discussion: """
            For parity checks against other frameworks. Weights without __metadata__ (as PyTorch writes them) load too: \
            preset, depth and input channels are inferred from the tensor names and shapes. D, H and W must be multiples \
            of 2^depth. Exit status: 0 when written, 2 when the weights or arrays are refused.
            """
    )

    @OptionGroup var printing: JSONOption

    @Option(name: .long, help: "A safetensors file of BaselineUNet3D weights.")
    var weights: String

    @Option(name: .long, help: "An .npz holding float32 x and constraints.")
    var input: String

    @Option(name: [.short, .long], help: "The .npz to write (key y).")
    var output: String

    @OptionGroup var threads: ThreadsOption

    func run() throws {
        let summary = try ModelForward.run(weightsPath: weights, inputPath: input, outputPath: output, backend: CPUBackend(threads: threads.count, freedMemory: .returnedToSystem))
        if printing.json {
            return JSONOutput.print(["file": .string(output), "configuration": .string("\(summary.configuration)"),
                                     "inputShape": .array(summary.inputShape.map { .int(Int64($0)) }),
                                     "outputShape": .array(summary.outputShape.map { .int(Int64($0)) }), "seconds": .number(summary.seconds)],
                                    result: "model-forward")
        }
        print("wrote \(output): y \(summary.outputShape) from x \(summary.inputShape); \(summary.configuration); "
              + String(format: "%.2f s", summary.seconds))
    }
}

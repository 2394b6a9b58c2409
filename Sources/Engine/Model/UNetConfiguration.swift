/// The shape of a BaselineUNet3D: base width b, depth D (encoder levels), input channels (CT plus
/// every SDF channel). Encoder level i (1…D) has width b·2^(i−1); the bottleneck keeps the
/// deepest width; decoder level i takes [upsampled level below, encoder skip i] and gives the
/// width of encoder level i − 1 (b for level 1). Conditioning: 13 constraint features through
/// `constraint_mlp` (Linear 13→256, SiLU, Linear 256→256) into every block's `cond_mlp`.
public struct UNetConfiguration: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Preset: String, Sendable, CaseIterable, Codable {
        case tiny, cpu, paper

        public var baseWidth: Int {
            switch self {
            case .tiny: return 8
            case .cpu: return 16
            case .paper: return 48
            }
        }
    }

    public static let constraintFeatures = 13
    public static let conditionWidth = 256

    public let baseWidth: Int
    public let depth: Int
    public let inputChannels: Int

    public init(baseWidth: Int, depth: Int = 4, inputChannels: Int) throws {
        guard baseWidth >= 1, depth >= 1, depth <= 8, inputChannels >= 1 else {
            throw EngineError.invalidSetting(name: "U-Net configuration", expected: "base width ≥ 1, depth 1…8, input channels ≥ 1",
                                             found: "b = \(baseWidth), depth \(depth), \(inputChannels) inputs")
        }
        (self.baseWidth, self.depth, self.inputChannels) = (baseWidth, depth, inputChannels)
    }

    public init(preset: Preset, depth: Int = 4, inputChannels: Int) throws {
        try self.init(baseWidth: preset.baseWidth, depth: depth, inputChannels: inputChannels)
    }

    /// The preset whose base width this is, if any.
    public var preset: Preset? { Preset.allCases.first { $0.baseWidth == baseWidth } }

    public var description: String {
        "\(preset?.rawValue ?? "custom") (b = \(baseWidth)), depth \(depth), \(inputChannels) input channels"
    }

    /// Width of encoder level `level` (1-based).
    public func encoderWidth(_ level: Int) -> Int { baseWidth << (level - 1) }

    /// Input and output widths of decoder level `level` (1-based).
    public func decoderWidths(_ level: Int) -> (input: Int, output: Int) {
        let below = level == depth ? encoderWidth(depth) : decoderWidths(level + 1).output
        return (below + encoderWidth(level), level == 1 ? baseWidth : encoderWidth(level - 1))
    }

    /// GroupNorm's group count: the largest divisor of the channel count that is at most 8.
    public static func groups(forChannels channels: Int) -> Int {
        (1...min(8, channels)).last { channels % $0 == 0 } ?? 1
    }

    /// The blocks in PyTorch's registration order, with their widths.
    public var blocks: [(name: String, input: Int, output: Int)] {
        var blocks: [(String, Int, Int)] = []
        for level in 1...depth {
            blocks.append(("enc\(level)", level == 1 ? inputChannels : encoderWidth(level - 1), encoderWidth(level)))
        }
        blocks.append(("bottleneck", encoderWidth(depth), encoderWidth(depth)))
        for level in stride(from: depth, through: 1, by: -1) {
            let widths = decoderWidths(level)
            blocks.append(("dec\(level)", widths.input, widths.output))
        }
        return blocks
    }

    /// Every parameter's name (PyTorch's `state_dict` key) and shape, in registration order.
    public var parameterShapes: [(name: String, shape: [Int])] {
        let condition = Self.conditionWidth
        var shapes: [(String, [Int])] = [
            ("constraint_mlp.0.weight", [condition, Self.constraintFeatures]), ("constraint_mlp.0.bias", [condition]),
            ("constraint_mlp.2.weight", [condition, condition]), ("constraint_mlp.2.bias", [condition]),
        ]
        for block in blocks {
            let (name, input, output) = block
            shapes += [
                ("\(name).conv1.weight", [output, input, 3, 3, 3]), ("\(name).conv1.bias", [output]),
                ("\(name).norm1.weight", [output]), ("\(name).norm1.bias", [output]),
                ("\(name).conv2.weight", [output, output, 3, 3, 3]), ("\(name).conv2.bias", [output]),
                ("\(name).norm2.weight", [output]), ("\(name).norm2.bias", [output]),
                ("\(name).cond_mlp.1.weight", [2 * output, condition]), ("\(name).cond_mlp.1.bias", [2 * output]),
            ]
            if input != output {
                shapes += [("\(name).residual.weight", [output, input, 1, 1, 1]), ("\(name).residual.bias", [output])]
            }
        }
        shapes += [("out_conv.weight", [1, baseWidth, 1, 1, 1]), ("out_conv.bias", [1])]
        return shapes
    }

    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Spatial extents must halve cleanly `depth` times.
    public var spatialMultiple: Int { 1 << depth }
}

/// Training support: a forward pass that keeps what the backward pass needs, and the backward
/// pass giving the gradient of every parameter (under its PyTorch name) for an output gradient.
extension BaselineUNet3D {
    /// Everything the backward pass reads, from one forward pass.
    public struct Trace: Sendable {
        public let output: Tensor
        let constraints: Tensor, hidden: Tensor, activatedHidden: Tensor, condition: Tensor, activatedCondition: Tensor
        // Variables so the training step's backward pass can drop each part once it is used.
        var blocks: [String: BlockTrace]
        var encoderOutputs: [Tensor], pools: [MaxPool3d.Output]
        var decoderInputs: [Tensor], decoderOutput: Tensor
    }

    struct BlockTrace: Sendable {
        let input: Tensor, conv1: Tensor, norm1: GroupNorm.Statistics, normed1: Tensor, activated1: Tensor
        let scale: Tensor, modulated: Tensor, conv2: Tensor, norm2: GroupNorm.Statistics, normed2: Tensor
    }

    /// The forward pass, keeping every intermediate the backward pass reads.
    public func forwardTrace(_ x: Tensor, constraints: Tensor, on backend: some ComputeBackend) throws -> Trace {
        try run(x, constraints: constraints, keepingIntermediates: true, on: backend)
    }

    /// The network: conditioning, encoder (each level's output kept as the decoder's skip),
    /// bottleneck, decoder on [upsampled, skip], out_conv. Without `keepingIntermediates` the
    /// trace holds only the output, so inference frees each activation once it is used.
    func run(_ x: consuming Tensor, constraints: Tensor, keepingIntermediates keep: Bool, on backend: some ComputeBackend) throws -> Trace {
        try checkInput(x, constraints: constraints)
        let hidden = try linear("constraint_mlp.0").forward(constraints, on: backend)
        let activatedHidden = SiLU.forward(hidden, on: backend)
        let condition = try linear("constraint_mlp.2").forward(activatedHidden, on: backend)
        let activatedCondition = SiLU.forward(condition, on: backend)
        var blocks: [String: BlockTrace] = [:]
        func block(_ name: String, _ input: consuming Tensor) throws -> Tensor {
            guard keep else { return try blockOutput(name, input, activatedCondition, on: backend) }
            let (output, trace) = try blockTrace(name, input, activatedCondition, on: backend)
            blocks[name] = trace
            return output
        }
        var encoderOutputs: [Tensor] = [], pools: [MaxPool3d.Output] = []
        var h = x
        for level in 1...configuration.depth {
            h = try block("enc\(level)", consume h)
            encoderOutputs.append(h)
            let pooled = try MaxPool3d.forward(h, on: backend)
            if keep { pools.append(pooled) }
            h = pooled.output
        }
        h = try block("bottleneck", consume h)
        var decoderInputs: [Tensor] = []
        for level in stride(from: configuration.depth, through: 1, by: -1) {
            let upsampled = try TrilinearUpsample.forward(h, on: backend)
            guard keep else {
                // Inference hands the skip to the block, which frees it once it has read it.
                _ = consume h
                h = try decoderBlockOutput("dec\(level)", upsampled: upsampled, skip: exchange(&encoderOutputs[level - 1], with: .zeros([0])),
                                           activatedCondition, on: backend)
                continue
            }
            decoderInputs.insert(h, at: 0)
            h = try block("dec\(level)", ChannelConcat.forward(upsampled, encoderOutputs[level - 1], on: backend))
        }
        let output = try conv("out_conv").forward(h, on: backend)
        guard keep else {
            return Trace(output: output, constraints: constraints, hidden: hidden, activatedHidden: activatedHidden, condition: condition,
                         activatedCondition: activatedCondition, blocks: [:], encoderOutputs: [], pools: [], decoderInputs: [], decoderOutput: .zeros([0]))
        }
        return Trace(output: output, constraints: constraints, hidden: hidden, activatedHidden: activatedHidden, condition: condition,
                     activatedCondition: activatedCondition, blocks: blocks, encoderOutputs: encoderOutputs, pools: pools,
                     decoderInputs: decoderInputs, decoderOutput: h)
    }

    /// ∂L/∂θ for every parameter, given ∂L/∂output.
    public func gradients(of trace: Trace, outputGradient: Tensor, on backend: some ComputeBackend) throws -> [String: Tensor] {
        var copy = trace
        return try gradients(releasing: &copy, outputGradient: outputGradient, on: backend)
    }

    /// The same, dropping each activation from `trace` once the backward pass has used it, so a
    /// training step's memory falls as the pass goes down the network (as PyTorch frees its
    /// saved tensors during backward). `trace` keeps only its output and the conditioning.
    func gradients(releasing trace: inout Trace, outputGradient: Tensor, on backend: some ComputeBackend) throws -> [String: Tensor] {
        try outputGradient.expectShape(trace.output.shape, role: "model output gradient")
        var gradients: [String: Tensor] = [:]
        var conditionGradient = Tensor.zeros(trace.activatedCondition.shape)
        let head = try conv("out_conv").backward(input: trace.decoderOutput, outputGradient: outputGradient, on: backend)
        (gradients["out_conv.weight"], gradients["out_conv.bias"]) = (head.weight, head.bias)
        trace.decoderOutput = .zeros([0])
        var h = head.input
        var skipGradients: [Tensor?] = Array(repeating: nil, count: configuration.depth)
        for level in 1...configuration.depth {
            let concatenated = try blockGradients("dec\(level)", trace, outputGradient: h, into: &gradients, conditionGradient: &conditionGradient, on: backend)
            trace.blocks["dec\(level)"] = nil
            let upsampledChannels = configuration.decoderWidths(level).input - configuration.encoderWidth(level)
            let (upsampled, skip) = try ChannelConcat.split(concatenated, firstChannels: upsampledChannels, on: backend)
            skipGradients[level - 1] = skip
            h = try TrilinearUpsample.backward(input: trace.decoderInputs[level - 1], outputGradient: upsampled, on: backend)
            trace.decoderInputs[level - 1] = .zeros([0])
        }
        h = try blockGradients("bottleneck", trace, outputGradient: h, into: &gradients, conditionGradient: &conditionGradient, on: backend)
        trace.blocks["bottleneck"] = nil
        for level in stride(from: configuration.depth, through: 1, by: -1) {
            let pooled = try MaxPool3d.backward(input: trace.encoderOutputs[level - 1], forward: trace.pools[level - 1], outputGradient: h, on: backend)
            let total = try skipGradients[level - 1].map { try ResidualAdd.forward(pooled, $0, on: backend) } ?? pooled
            (trace.encoderOutputs[level - 1], trace.pools[level - 1]) = (.zeros([0]), MaxPool3d.Output(output: .zeros([0]), winners: []))
            skipGradients[level - 1] = nil
            h = try blockGradients("enc\(level)", trace, outputGradient: total, into: &gradients, conditionGradient: &conditionGradient, on: backend)
            trace.blocks["enc\(level)"] = nil
        }
        let condition = try SiLU.backward(input: trace.condition, outputGradient: conditionGradient, on: backend)
        let second = try linear("constraint_mlp.2").backward(input: trace.activatedHidden, outputGradient: condition, on: backend)
        (gradients["constraint_mlp.2.weight"], gradients["constraint_mlp.2.bias"]) = (second.weight, second.bias)
        let hidden = try SiLU.backward(input: trace.hidden, outputGradient: second.input, on: backend)
        let first = try linear("constraint_mlp.0").backward(input: trace.constraints, outputGradient: hidden, on: backend)
        (gradients["constraint_mlp.0.weight"], gradients["constraint_mlp.0.bias"]) = (first.weight, first.bias)
        return gradients
    }

    /// The block `blockTrace` computes, for inference, with the same arithmetic: the input is freed
    /// once conv1 and the residual have read it, and the norms, SiLUs, FiLM and the residual sum run
    /// in place, so a block holds at most its input, the residual and one activation (the trace holds
    /// eight; at a 128³ tile of the paper model each is 400 MB).
    private func blockOutput(_ name: String, _ input: consuming Tensor, _ activatedCondition: Tensor, on backend: some ComputeBackend) throws -> Tensor {
        let h = try conv("\(name).conv1").forward(input, on: backend)
        let skip = parameters["\(name).residual.weight"] == nil ? input : try conv("\(name).residual").forward(input, on: backend)
        _ = consume input
        return try blockTail(name, h, residual: skip, activatedCondition, on: backend)
    }

    /// A decoder block for inference over [upsampled, skip] without building the concatenation
    /// (at a 128³ tile of the paper model it would be 800 MB beside its two halves): conv1 reads
    /// both halves, then the 1×1×1 residual conv writes over the upsampled half's storage. The
    /// columns the convolutions multiply are the ones the concatenation would give, so the
    /// output is the traced block's, bit for bit.
    private func decoderBlockOutput(_ name: String, upsampled: consuming Tensor, skip: consuming Tensor, _ activatedCondition: Tensor,
                                    on backend: some ComputeBackend) throws -> Tensor {
        guard parameters["\(name).residual.weight"] != nil else {
            return try blockOutput(name, ChannelConcat.forward(upsampled, skip, on: backend), activatedCondition, on: backend)
        }
        let h = try conv("\(name).conv1").forward(concatenating: upsampled, skip, on: backend)
        let residual = try conv("\(name).residual").forward(overwriting: upsampled, concatenatedWith: skip, on: backend)
        _ = consume skip
        return try blockTail(name, h, residual: residual, activatedCondition, on: backend)
    }

    /// norm1 → SiLU → FiLM → conv2 → norm2 → SiLU → + residual, over conv1's output in place.
    private func blockTail(_ name: String, _ conv1Output: consuming Tensor, residual: Tensor, _ activatedCondition: Tensor,
                           on backend: some ComputeBackend) throws -> Tensor {
        var h = conv1Output
        try norm("\(name).norm1").forward(inPlace: &h, on: backend)
        SiLU.forward(inPlace: &h, on: backend)
        let modulation = try linear("\(name).cond_mlp.1").forward(activatedCondition, on: backend)
        let (scale, shift) = try ChannelConcat.split(modulation, firstChannels: modulation.shape[1] / 2, on: backend)
        try FiLM.forward(inPlace: &h, scale: scale, shift: shift, on: backend)
        var output = try conv("\(name).conv2").forward(h, on: backend)
        _ = consume h
        try norm("\(name).norm2").forward(inPlace: &output, on: backend)
        SiLU.forward(inPlace: &output, on: backend)
        try ResidualAdd.add(residual, to: &output, on: backend)
        return output
    }

    /// One block: conv1 → norm1 → SiLU → FiLM(cond) → conv2 → norm2 → SiLU, plus the residual
    /// (a 1×1×1 conv when the width changes). `activatedCondition` is SiLU(cond), the first op of
    /// every block's `cond_mlp`, computed once.
    private func blockTrace(_ name: String, _ x: Tensor, _ activatedCondition: Tensor, on backend: some ComputeBackend) throws -> (Tensor, BlockTrace) {
        let conv1 = try conv("\(name).conv1").forward(x, on: backend)
        let norm1 = try norm("\(name).norm1").forward(conv1, on: backend)
        let activated1 = SiLU.forward(norm1.output, on: backend)
        let modulation = try linear("\(name).cond_mlp.1").forward(activatedCondition, on: backend)
        let (scale, shift) = try ChannelConcat.split(modulation, firstChannels: modulation.shape[1] / 2, on: backend)
        let modulated = try FiLM.forward(activated1, scale: scale, shift: shift, on: backend)
        let conv2 = try conv("\(name).conv2").forward(modulated, on: backend)
        let norm2 = try norm("\(name).norm2").forward(conv2, on: backend)
        let activated2 = SiLU.forward(norm2.output, on: backend)
        let skip = parameters["\(name).residual.weight"] == nil ? x : try conv("\(name).residual").forward(x, on: backend)
        return (try ResidualAdd.forward(activated2, skip, on: backend),
                BlockTrace(input: x, conv1: conv1, norm1: norm1.statistics, normed1: norm1.output, activated1: activated1, scale: scale,
                           modulated: modulated, conv2: conv2, norm2: norm2.statistics, normed2: norm2.output))
    }

    /// One block's backward pass: its parameters' gradients into `gradients`, its share of the
    /// condition's gradient added to `conditionGradient`; returns the gradient of its input. One
    /// running gradient `g` is replaced step by step, so each layer's gradient is freed as soon as
    /// the next one exists (the block's backward holds two activation-sized gradients at most).
    private func blockGradients(_ name: String, _ trace: Trace, outputGradient: Tensor, into gradients: inout [String: Tensor],
                                conditionGradient: inout Tensor, on backend: some ComputeBackend) throws -> Tensor {
        guard let block = trace.blocks[name] else { throw EngineError.inconsistentState(what: "trace", expected: "block \(name)", found: "none") }
        var g = try SiLU.backward(input: block.normed2, outputGradient: outputGradient, on: backend)
        g = try convNormGradients("\(name).conv2", "\(name).norm2", convInput: block.modulated, normInput: block.conv2, statistics: block.norm2,
                                  outputGradient: g, into: &gradients, on: backend)
        do {
            let film = try FiLM.backward(input: block.activated1, scale: block.scale, outputGradient: g, on: backend)
            let modulation = try linear("\(name).cond_mlp.1").backward(input: trace.activatedCondition,
                                                                       outputGradient: ChannelConcat.forward(film.scale, film.shift, on: backend), on: backend)
            (gradients["\(name).cond_mlp.1.weight"], gradients["\(name).cond_mlp.1.bias"]) = (modulation.weight, modulation.bias)
            conditionGradient = try ResidualAdd.forward(conditionGradient, modulation.input, on: backend)
            g = film.input
        }
        g = try SiLU.backward(input: block.normed1, outputGradient: g, on: backend)
        g = try convNormGradients("\(name).conv1", "\(name).norm1", convInput: block.input, normInput: block.conv1, statistics: block.norm1,
                                  outputGradient: g, into: &gradients, on: backend)
        if parameters["\(name).residual.weight"] != nil {
            let residual = try conv("\(name).residual").backward(input: block.input, outputGradient: outputGradient, on: backend)
            (gradients["\(name).residual.weight"], gradients["\(name).residual.bias"]) = (residual.weight, residual.bias)
            return try ResidualAdd.forward(g, residual.input, on: backend)
        }
        return try ResidualAdd.forward(g, outputGradient, on: backend)
    }

    /// GroupNorm `normName` then conv `convName` backward (a block's norm ← conv pair): their
    /// parameters' gradients into `gradients`; returns the gradient of the conv's input. Each
    /// layer's result is dropped once its input gradient is taken.
    private func convNormGradients(_ convName: String, _ normName: String, convInput: Tensor, normInput: Tensor, statistics: GroupNorm.Statistics,
                                   outputGradient: Tensor, into gradients: inout [String: Tensor], on backend: some ComputeBackend) throws -> Tensor {
        let g: Tensor
        do {
            let normed = try norm(normName).backward(input: normInput, statistics: statistics, outputGradient: outputGradient, on: backend)
            (gradients["\(normName).weight"], gradients["\(normName).bias"]) = (normed.scale, normed.shift)
            g = normed.input
        }
        let convolved = try conv(convName).backward(input: convInput, outputGradient: g, on: backend)
        (gradients["\(convName).weight"], gradients["\(convName).bias"]) = (convolved.weight, convolved.bias)
        return convolved.input
    }
}

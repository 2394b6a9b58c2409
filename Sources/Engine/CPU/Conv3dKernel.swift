import CEngineKernels

/// Stride-1, "same"-padded 3D convolution (cubic odd kernel, padding (k − 1)/2) as matrix
/// products (`CEngineKernels`: AVX-512, AVX2 or portable C, chosen at run time) on bounded column
/// slabs: a slab holds the columns of a run of whole image rows, never the whole volume, so scratch
/// memory depends on the channels, not the volume size. The forward product gathers one padded
/// line per (input channel, kd, kh) and reads the kw taps at offsets along it (`SlabPlan.Columns`);
/// the weight gradient gathers full im2col rows. 1×1×1 kernels multiply the input directly.
///
/// Slab size (measured on the paper U-Net's shapes, `make bench`): a slab that stays in the 2 MB L2
/// (`slabFloats`) keeps the products' column reads in cache, which beat 16 MB slabs by 10–25 % at
/// 64³; but each product also streams the whole weight matrix (up to 16 MB in the decoder's deep
/// convs), so a slab never has fewer than `minimumPoints` output points.
///
/// The input gradient is the same convolution of the output gradient with the kernel flipped in
/// all three axes and its channel axes swapped (exact for stride 1 and same padding), so the
/// backward pass reuses the forward path instead of scattering columns back (col2im).
struct Conv3dKernel {
    let split: WorkSplit
    /// The column floats a lane aims to hold at once.
    let slabFloats: Int
    /// The fewest output points per slab, whatever `slabFloats` says.
    let minimumPoints: Int

    /// Column-slab bytes the conv of `layout` with this kernel size holds at most, over all lanes.
    func scratchBytes(layout: VolumeLayout, kernelSize: Int) -> Int {
        guard kernelSize > 1 else { return 0 }
        let plan = SlabPlan(layout: layout, kernelSize: kernelSize, columns: .forward(kernelSize: kernelSize, width: layout.width, parts: 1),
                            slabFloats: slabFloats, minimumPoints: minimumPoints)
        return plan.slabCapacity * MemoryLayout<Float>.size * min(split.threads, plan.taskCount)
    }

    /// `output[n, o, p] = bias[o] + Σ weight[o, i, k] · input[n, i, p + k]`; `weight` is
    /// (Cout, Cin, k, k, k) flattened.
    func forward(input: UnsafeBufferPointer<Float>, layout: VolumeLayout, weight: UnsafeBufferPointer<Float>,
                 outputChannels: Int, kernelSize: Int, bias: UnsafeBufferPointer<Float>?,
                 output: UnsafeMutableBufferPointer<Float>) {
        forward(input: ConvInput(input.baseAddress!, channels: layout.channels), layout: layout, weight: weight,
                outputChannels: outputChannels, kernelSize: kernelSize, bias: bias, output: output.baseAddress!)
    }

    /// The same over an input whose channels may live in two tensors (a concatenation never
    /// built). Each task gathers its columns before it writes its output points, so `output` may
    /// be the storage of the input's first part for a 1×1×1 kernel over one sample: a point's
    /// output channels then land on that point's input channels, which its task has already read.
    func forward(input: ConvInput, layout: VolumeLayout, weight: UnsafeBufferPointer<Float>,
                 outputChannels: Int, kernelSize: Int, bias: UnsafeBufferPointer<Float>?, output: UnsafeMutablePointer<Float>) {
        let plan = SlabPlan(layout: layout, kernelSize: kernelSize, columns: .forward(kernelSize: kernelSize, width: layout.width, parts: input.parts.count),
                            slabFloats: slabFloats, minimumPoints: minimumPoints)
        let spatial = layout.spatialCount
        nonisolated(unsafe) let output = output
        split.forEachLane(tasks: plan.taskCount) { lane, lanes in
            let slab = plan.columns == .input ? nil : UnsafeMutableBufferPointer<Float>.allocate(capacity: plan.slabCapacity)
            defer { slab?.deallocate() }
            for task in stride(from: lane, to: plan.taskCount, by: lanes) {
                let (sample, rows) = plan.task(task)
                let first = rows.lowerBound * layout.width, points = rows.count * layout.width
                let (columns, columnStride) = plan.columns(input: input, sample: sample, rows: rows, slab: slab)
                let target = output + (sample * outputChannels) * spatial + first
                for channel in 0..<outputChannels {
                    let value = bias?[channel] ?? 0
                    (target + channel * spatial).update(repeating: value, count: points)
                }
                if plan.columns == .kernelRows {
                    dc_conv_gemm_shifted(outputChannels, plan.patchRows, kernelSize, rows.count, layout.width, weight.baseAddress!, plan.patchRows,
                                         columns, columnStride, plan.lineLength, target, spatial)
                } else {
                    dc_conv_gemm_nn(outputChannels, points, plan.patchRows, weight.baseAddress!, plan.patchRows, columns, columnStride,
                                    target, spatial)
                }
            }
        }
    }

    /// `Σ_{n,p} outputGradient[n, o, p] · column[n, k, p]`, the weight gradient, as (Cout, Cin·k³).
    func weightGradient(input: UnsafeBufferPointer<Float>, layout: VolumeLayout, outputGradient: UnsafeBufferPointer<Float>,
                        outputChannels: Int, kernelSize: Int, into gradient: UnsafeMutableBufferPointer<Float>) {
        let plan = SlabPlan(layout: layout, kernelSize: kernelSize, columns: kernelSize > 1 ? .im2col : .input,
                            slabFloats: slabFloats, minimumPoints: minimumPoints)
        let source = ConvInput(input.baseAddress!, channels: layout.channels)
        let spatial = layout.spatialCount
        let lanes = max(1, min(split.threads, plan.taskCount))
        let weightCount = outputChannels * plan.patchRows
        // One partial sum per lane, added in lane order: repeatable for a given thread count.
        let partials = UnsafeMutableBufferPointer<Float>.allocate(capacity: weightCount * lanes)
        defer { partials.deallocate() }
        partials.initialize(repeating: 0)
        nonisolated(unsafe) let sharedPartials = partials
        split.forEachLane(tasks: plan.taskCount) { lane, lanes in
            let slab = plan.columns == .input ? nil : UnsafeMutableBufferPointer<Float>.allocate(capacity: plan.slabCapacity)
            defer { slab?.deallocate() }
            let partial = sharedPartials.baseAddress! + lane * weightCount
            for task in stride(from: lane, to: plan.taskCount, by: lanes) {
                let (sample, rows) = plan.task(task)
                let first = rows.lowerBound * layout.width, points = rows.count * layout.width
                let (columns, columnStride) = plan.columns(input: source, sample: sample, rows: rows, slab: slab)
                let gradientRows = outputGradient.baseAddress! + sample * outputChannels * spatial + first
                dc_conv_gemm_nt(outputChannels, plan.patchRows, points, gradientRows, spatial, columns, columnStride, partial, plan.patchRows)
            }
        }
        for index in 0..<weightCount {
            var sum: Float = 0
            for lane in 0..<lanes { sum += partials[lane * weightCount + index] }
            gradient[index] = sum
        }
    }

    /// The weights of the input-gradient convolution: channel axes swapped, kernel reversed.
    static func transposedFlipped(_ weight: UnsafeBufferPointer<Float>, outputChannels: Int, inputChannels: Int, kernelSize: Int) -> [Float] {
        let taps = kernelSize * kernelSize * kernelSize
        return [Float](unsafeUninitializedCapacity: weight.count) { flipped, count in
            for output in 0..<outputChannels {
                for input in 0..<inputChannels {
                    let source = (output * inputChannels + input) * taps, target = (input * outputChannels + output) * taps
                    for tap in 0..<taps { flipped[target + tap] = weight[source + taps - 1 - tap] }
                }
            }
            count = weight.count
        }
    }
}

/// A convolution's input channels: one tensor's, or two tensors' one after the other (the
/// decoder's [upsampled, skip] at inference, which is never concatenated).
struct ConvInput: @unchecked Sendable {
    let parts: [(base: UnsafePointer<Float>, channels: Int)]

    init(_ base: UnsafePointer<Float>, channels: Int) { parts = [(base, channels)] }
    init(parts: [(base: UnsafePointer<Float>, channels: Int)]) { self.parts = parts }

    /// The first element of `channel` of `sample`, each part laid out (N, C_part, spatial).
    func channel(_ channel: Int, sample: Int, spatial: Int) -> UnsafePointer<Float> {
        var index = channel
        for part in parts {
            if index < part.channels { return part.base + (sample * part.channels + index) * spatial }
            index -= part.channels
        }
        preconditionFailure("channel \(channel) beyond the input's \(parts.reduce(0) { $0 + $1.channels })")
    }
}

/// How a convolution's columns are cut into slabs: tasks are (sample, run of image rows).
private struct SlabPlan {
    /// What a task's slab holds.
    enum Columns {
        /// Nothing: a 1×1×1 conv of one tensor multiplies the input's rows themselves.
        case input
        /// im2col: one row per (input channel, kd, kh, kw), the slab's points in order.
        case im2col
        /// One padded line of `width + kernelSize − 1` per (input channel, kd, kh) and image row: the
        /// product reads the kw taps at offsets along it (`dc_conv_gemm_shifted`), so the slab is a
        /// kernel-width smaller than im2col's and gathered with as many fewer copies.
        case kernelRows

        /// The forward product's columns: kernel rows where the product's 32-column tiles, which never
        /// cross an image row, waste at most an eighth of their lanes; else im2col.
        static func forward(kernelSize: Int, width: Int, parts: Int) -> Columns {
            guard kernelSize > 1 else { return parts > 1 ? .im2col : .input }
            return (width + 31) / 32 * 32 * 8 <= width * 9 ? .kernelRows : .im2col
        }
    }

    let layout: VolumeLayout
    let kernelSize: Int
    let columns: Columns
    /// The weight matrix's columns, C_in · k³.
    let patchRows: Int
    let rowsPerSlab: Int
    let slabsPerSample: Int

    init(layout: VolumeLayout, kernelSize: Int, columns: Columns, slabFloats: Int, minimumPoints: Int) {
        self.layout = layout
        self.kernelSize = kernelSize
        self.columns = columns
        patchRows = layout.channels * kernelSize * kernelSize * kernelSize
        let imageRows = layout.depth * layout.height
        let floatsPerImageRow = switch columns {
        case .input: 0
        case .im2col: patchRows * layout.width
        case .kernelRows: layout.channels * kernelSize * kernelSize * (layout.width + kernelSize - 1)
        }
        if floatsPerImageRow > 0 {
            let rowsInBudget = slabFloats / floatsPerImageRow
            let rowsForMinimum = (minimumPoints + layout.width - 1) / max(1, layout.width)
            let wanted = max(1, min(imageRows, max(rowsInBudget, rowsForMinimum)))
            // Equal slabs of at least `wanted` rows (under twice as many): no short tail slab.
            let slabs = max(1, imageRows / wanted)
            rowsPerSlab = (imageRows + slabs - 1) / slabs
        } else {
            // No columns to hold: slabs only share the work between lanes.
            rowsPerSlab = max(1, min(imageRows, (1 << 16) / max(1, layout.width)))
        }
        slabsPerSample = imageRows == 0 ? 0 : (imageRows + rowsPerSlab - 1) / rowsPerSlab
    }

    var taskCount: Int { layout.batch * slabsPerSample }
    /// A kernel-rows slab's padded line.
    var lineLength: Int { layout.width + kernelSize - 1 }

    var slabCapacity: Int {
        switch columns {
        case .input: 0
        case .im2col: patchRows * rowsPerSlab * layout.width
        case .kernelRows: layout.channels * kernelSize * kernelSize * rowsPerSlab * lineLength
        }
    }

    func task(_ index: Int) -> (sample: Int, rows: Range<Int>) {
        let sample = index / slabsPerSample, slab = index % slabsPerSample
        let first = slab * rowsPerSlab
        return (sample, first..<min(first + rowsPerSlab, layout.depth * layout.height))
    }

    /// The task's columns and the stride between their rows (a kernel-rows slab: between its
    /// (channel, kd, kh) groups of lines): gathered into `slab`, or the input itself.
    func columns(input: ConvInput, sample: Int, rows: Range<Int>, slab: UnsafeMutableBufferPointer<Float>?) -> (UnsafePointer<Float>, Int) {
        let spatial = layout.spatialCount
        guard let slab, columns != .input else {
            return (input.channel(0, sample: sample, spatial: spatial) + rows.lowerBound * layout.width, spatial)
        }
        if columns == .kernelRows {
            gatherKernelRows(input: input, sample: sample, rows: rows, into: slab)
            return (UnsafePointer(slab.baseAddress!), rows.count * lineLength)
        }
        gatherColumns(input: input, sample: sample, rows: rows, into: slab)
        return (UnsafePointer(slab.baseAddress!), rows.count * layout.width)
    }

    /// The image row `row` shifted by (kd, kh) − pad, or nil where the shift leaves the volume.
    private func shiftedRow(_ source: UnsafePointer<Float>, row: Int, kd: Int, kh: Int) -> UnsafePointer<Float>? {
        let pad = (kernelSize - 1) / 2
        let d = row / layout.height + kd - pad, h = row % layout.height + kh - pad
        guard d >= 0, d < layout.depth, h >= 0, h < layout.height else { return nil }
        return source + (d * layout.height + h) * layout.width
    }

    /// im2col of one slab: row (i, kd, kh, kw) holds input channel i shifted by (kd, kh, kw) − pad
    /// over the slab's points, zero where the shift leaves the volume. Each image row is one
    /// shifted copy, which is why slabs are whole rows.
    func gatherColumns(input: ConvInput, sample: Int, rows: Range<Int>, into slab: UnsafeMutableBufferPointer<Float>) {
        let width = layout.width, pad = (kernelSize - 1) / 2
        let points = rows.count * width
        var target = slab.baseAddress!
        for channel in 0..<layout.channels {
            let source = input.channel(channel, sample: sample, spatial: layout.spatialCount)
            for kd in 0..<kernelSize {
                for kh in 0..<kernelSize {
                    for kw in 0..<kernelSize {
                        let shift = kw - pad
                        var line = target
                        for row in rows {
                            if let from = shiftedRow(source, row: row, kd: kd, kh: kh), abs(shift) < width {
                                if shift < 0 {
                                    line.update(repeating: 0, count: -shift)
                                    (line - shift).update(from: from, count: width + shift)
                                } else {
                                    line.update(from: from + shift, count: width - shift)
                                    (line + width - shift).update(repeating: 0, count: shift)
                                }
                            } else {
                                line.update(repeating: 0, count: width)
                            }
                            line += width
                        }
                        target += points
                    }
                }
            }
        }
    }

    /// The kernel-rows slab: for each (i, kd, kh), the slab's image rows of channel i shifted by
    /// (kd, kh) − pad, each with `pad` zeros either side (all zeros where the shift leaves the volume).
    func gatherKernelRows(input: ConvInput, sample: Int, rows: Range<Int>, into slab: UnsafeMutableBufferPointer<Float>) {
        let width = layout.width, pad = (kernelSize - 1) / 2
        var line = slab.baseAddress!
        for channel in 0..<layout.channels {
            let source = input.channel(channel, sample: sample, spatial: layout.spatialCount)
            for kd in 0..<kernelSize {
                for kh in 0..<kernelSize {
                    for row in rows {
                        if let from = shiftedRow(source, row: row, kd: kd, kh: kh) {
                            line.update(repeating: 0, count: pad)
                            (line + pad).update(from: from, count: width)
                            (line + pad + width).update(repeating: 0, count: pad)
                        } else {
                            line.update(repeating: 0, count: lineLength)
                        }
                        line += lineLength
                    }
                }
            }
        }
    }
}

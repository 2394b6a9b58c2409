import Support
import Dosimetry

/// Training patches from whole cases (issue 13): fixed-size crops of the input channels and the
/// dose, with the augmentation that is physically right for a patient.
///
/// - Centres: even-numbered draws centre on a voxel whose dose is above a threshold (by default
///   10 % of Rx, normalised dose > 0.1; a run may raise it to centre them on the targets),
///   odd-numbered draws anywhere in the volume, so half the patches see the high-dose region. A
///   case with no voxel above the threshold gets uniform centres only.
/// - Translation: each centre moves by a whole number of voxels in [−maxShift, maxShift] per axis.
/// - Left-right flip (probability ½): along X, the case's array axis 1 (H of NCDHW), with the
///   Femur_L and Femur_R channels swapped, so the patient's left femur stays at the larger column
///   index (spec, "Structure channels"). Never along Y (anterior-posterior) or Z: the earlier
///   study's trainer flipped anterior-posterior while swapping femur labels "left-right".
/// - Outside the volume, patches are zero (input and dose).
///
/// Every draw comes from `SeededGenerator` in a fixed order (centre kind, centre, shift, flip),
/// so the same seed gives the same patches on every machine.
public struct PatchSampler: Sendable, Equatable {
    public let patch: [Int]
    public let maxShift: Int
    /// Input channel indices of Femur_L and Femur_R (CT is channel 0), swapped by a flip.
    public let femurChannels: FemurChannels?
    /// Normalised dose above which a voxel may be a high-dose centre unless a run says otherwise:
    /// 10 % of Rx, the first trainer's.
    public static let defaultHighDoseThreshold: Float = 0.1

    public struct FemurChannels: Sendable, Equatable {
        public let left: Int, right: Int
        public init(left: Int, right: Int) { (self.left, self.right) = (left, right) }
        /// The network input's layout: CT, then the standard channel order (Femur_L is structure 5).
        public static let networkInput = FemurChannels(left: 6, right: 7)
    }

    public init(patch: [Int], maxShift: Int = 4, femurChannels: FemurChannels? = .networkInput) throws {
        guard patch.count == 3, patch.allSatisfy({ $0 > 0 }), maxShift >= 0 else {
            throw EngineError.invalidSetting(name: "patch sampler", expected: "3 positive patch extents and a shift ≥ 0",
                                             found: "patch \(patch), shift \(maxShift)")
        }
        (self.patch, self.maxShift, self.femurChannels) = (patch, maxShift, femurChannels)
    }

    /// Where patch centres may fall in one volume: its extent (D, H, W) and the voxels eligible
    /// as high-dose centres (flat indices, 32-bit to keep a cohort's lists small).
    public struct Centres: Sendable, Equatable {
        public let extent: [Int]
        let highDoseVoxels: [Int32]

        /// `dose` holds the volume's normalised dose in (D, H, W) order; voxels above
        /// `highDoseThreshold` may be high-dose centres.
        public init(extent: [Int], dose: [Float], highDoseThreshold: Float = PatchSampler.defaultHighDoseThreshold) throws {
            guard extent.count == 3, extent.allSatisfy({ $0 > 0 }), extent.reduce(1, *) == dose.count, dose.count <= Int(Int32.max) else {
                throw EngineError.inconsistentState(what: "patch centres", expected: "a dose of \(extent) voxels", found: "\(dose.count) values")
            }
            self.extent = extent
            highDoseVoxels = dose.indices.filter { dose[$0] > highDoseThreshold }.map { Int32($0) }
        }
    }

    /// One training volume in memory: the network input (1, C, D, H, W) and the dose (1, 1, D, H, W).
    public struct Volume: Sendable {
        public let input: Tensor, dose: Tensor
        public let centres: Centres

        public init(input: Tensor, dose: Tensor, highDoseThreshold: Float = PatchSampler.defaultHighDoseThreshold) throws {
            let layout = try VolumeLayout(of: input, role: "training input")
            guard layout.batch == 1, layout.spatialCount > 0 else {
                throw EngineError.shape(role: "training input", expected: "(1, C, D, H, W)", found: input.shape)
            }
            try dose.expectShape(layout.with(channels: 1).shape, role: "training dose")
            (self.input, self.dose) = (input, dose)
            centres = try Centres(extent: Array(input.shape.suffix(3)), dose: dose.elements, highDoseThreshold: highDoseThreshold)
        }
    }

    /// How one draw cuts a patch: its start (D, H, W; may lie outside the volume) and whether it
    /// is mirrored left-right.
    public struct Draw: Sendable, Equatable {
        public let start: [Int]
        public let flipped: Bool
        public let highDoseCentre: Bool

        public init(start: [Int], flipped: Bool, highDoseCentre: Bool) {
            (self.start, self.flipped, self.highDoseCentre) = (start, flipped, highDoseCentre)
        }
    }

    /// What one draw produced: the patch pair and how it was made.
    public struct Sample: Sendable, Equatable {
        public let input: Tensor, dose: Tensor
        public let start: [Int]
        public let flipped: Bool
        public let highDoseCentre: Bool
    }

    /// The `index`-th draw of an epoch (its parity picks the centre kind) in a volume.
    public func draw(in centres: Centres, index: Int, generator: inout SeededGenerator) -> Draw {
        let extent = centres.extent
        let highDose = index % 2 == 0 && !centres.highDoseVoxels.isEmpty
        var centre: [Int]
        if highDose {
            let voxel = Int(centres.highDoseVoxels[Int(generator.nextInt(below: UInt64(centres.highDoseVoxels.count)))])
            centre = [voxel / (extent[1] * extent[2]), voxel / extent[2] % extent[1], voxel % extent[2]]
        } else {
            centre = extent.map { Int(generator.nextInt(below: UInt64($0))) }
        }
        for axis in 0..<3 where maxShift > 0 {
            centre[axis] += Int(generator.nextInt(below: UInt64(2 * maxShift + 1))) - maxShift
        }
        let flipped = generator.nextInt(below: 2) == 1
        return Draw(start: (0..<3).map { centre[$0] - patch[$0] / 2 }, flipped: flipped, highDoseCentre: highDose)
    }

    /// Training epoch `epoch`'s draws, in the order the trainer batches them: a generator seeded
    /// by (`seed`, stream `epoch`) makes `patchesPerVolume` draws from each volume in turn, then
    /// shuffles them (Fisher–Yates, the same generator). `dosecurate_torch` reproduces this.
    public func epochDraws(_ volumes: [Centres], seed: UInt64, epoch: Int, patchesPerVolume: Int) -> [(volume: Int, draw: Draw)] {
        var generator = SeededGenerator(seed: seed, stream: UInt64(epoch))
        var draws = volumes.indices.flatMap { volume in
            (0..<patchesPerVolume).map { (volume: volume, draw: self.draw(in: volumes[volume], index: $0, generator: &generator)) }
        }
        for index in stride(from: draws.count - 1, to: 0, by: -1) {
            draws.swapAt(index, Int(generator.nextInt(below: UInt64(index + 1))))
        }
        return draws
    }

    /// The `index`-th draw of an epoch from a volume in memory.
    public func sample(_ volume: Volume, index: Int, generator: inout SeededGenerator) throws -> Sample {
        let draw = draw(in: volume.centres, index: index, generator: &generator)
        let (input, dose) = try patch(of: volume, by: draw)
        return Sample(input: input, dose: dose, start: draw.start, flipped: draw.flipped, highDoseCentre: draw.highDoseCentre)
    }

    /// The patch pair a draw cuts from a volume in memory, oriented as the draw says: the same
    /// values a training cache's boxes at `draw.start` give.
    public func patch(of volume: Volume, by draw: Draw) throws -> (input: Tensor, dose: Tensor) {
        let extent = volume.centres.extent
        return try oriented(input: crop(volume.input, extent: extent, start: draw.start), dose: crop(volume.dose, extent: extent, start: draw.start), by: draw)
    }

    /// Patches cut at a draw's start (input (1, C, patch), dose (1, 1, patch)) as the draw wants
    /// them: mirrored along H when flipped — what lay at the patch's larger columns now lies at its
    /// smaller ones — with the femur channels swapped, so Femur_L stays the patient's left.
    public func oriented(input: Tensor, dose: Tensor, by draw: Draw) throws -> (input: Tensor, dose: Tensor) {
        try input.expectShape([1, input.shape.count > 1 ? input.shape[1] : 0] + patch, role: "patch input")
        try dose.expectShape([1, 1] + patch, role: "patch dose")
        guard draw.flipped else { return (input, dose) }
        var flippedInput = mirrored(input)
        if let femurs = femurChannels, femurs.left < input.shape[1], femurs.right < input.shape[1] {
            flippedInput = swapChannels(flippedInput, femurs.left, femurs.right)
        }
        return (flippedInput, mirrored(dose))
    }

    private func mirrored(_ tensor: Tensor) -> Tensor {
        var elements = tensor.elements
        let rows = tensor.count / (patch[1] * patch[2])
        for row in 0..<rows {
            for h in 0..<patch[1] {
                let target = (row * patch[1] + h) * patch[2], source = (row * patch[1] + patch[1] - 1 - h) * patch[2]
                for w in 0..<patch[2] { elements[target + w] = tensor.elements[source + w] }
            }
        }
        return Tensor(unchecked: tensor.shape, elements)
    }

    /// The patch of every channel at `start`, zero outside the volume.
    private func crop(_ tensor: Tensor, extent: [Int], start: [Int]) -> Tensor {
        let channels = tensor.shape[1], volumeCount = extent.reduce(1, *), patchCount = patch.reduce(1, *)
        var elements = [Float](repeating: 0, count: channels * patchCount)
        for channel in 0..<channels {
            for d in 0..<patch[0] {
                let y = start[0] + d
                guard y >= 0, y < extent[0] else { continue }
                for h in 0..<patch[1] {
                    let x = start[1] + h
                    guard x >= 0, x < extent[1] else { continue }
                    let target = channel * patchCount + (d * patch[1] + h) * patch[2]
                    let source = channel * volumeCount + (y * extent[1] + x) * extent[2]
                    for w in 0..<patch[2] {
                        let z = start[2] + w
                        if z >= 0, z < extent[2] { elements[target + w] = tensor.elements[source + z] }
                    }
                }
            }
        }
        return Tensor(unchecked: [1, channels] + patch, elements)
    }

    private func swapChannels(_ tensor: Tensor, _ first: Int, _ second: Int) -> Tensor {
        var swapped = tensor
        let count = patch.reduce(1, *)
        for offset in 0..<count {
            swapped.elements[first * count + offset] = tensor.elements[second * count + offset]
            swapped.elements[second * count + offset] = tensor.elements[first * count + offset]
        }
        return swapped
    }
}

import Dosimetry

/// Training patches from whole cases (issue 13): fixed-size crops of the input channels and the
/// dose, with the augmentation that is physically right for a patient.
///
/// - Centres: even-numbered draws centre on a voxel whose dose is above 10 % of Rx (normalised
///   dose > 0.1), odd-numbered draws anywhere in the volume, so half the patches see the target
///   region. A case with no voxel above 10 % gets uniform centres only.
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
    /// Normalised dose above which a voxel may be a high-dose centre: 10 % of Rx.
    public static let highDoseThreshold: Float = 0.1

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

    /// One training volume: the network input (1, C, D, H, W), the dose (1, 1, D, H, W) and the
    /// voxels eligible as high-dose centres.
    public struct Volume: Sendable {
        public let input: Tensor, dose: Tensor
        let highDoseVoxels: [Int]

        public init(input: Tensor, dose: Tensor) throws {
            let layout = try VolumeLayout(of: input, role: "training input")
            guard layout.batch == 1, layout.spatialCount > 0 else {
                throw EngineError.shape(role: "training input", expected: "(1, C, D, H, W)", found: input.shape)
            }
            try dose.expectShape(layout.with(channels: 1).shape, role: "training dose")
            (self.input, self.dose) = (input, dose)
            highDoseVoxels = dose.elements.indices.filter { dose.elements[$0] > PatchSampler.highDoseThreshold }
        }

        var extent: [Int] { Array(input.shape.suffix(3)) }
    }

    /// What one draw produced: the patch pair and how it was made.
    public struct Sample: Sendable, Equatable {
        public let input: Tensor, dose: Tensor
        public let start: [Int]
        public let flipped: Bool
        public let highDoseCentre: Bool
    }

    /// The `index`-th draw of an epoch (its parity picks the centre kind) from `volume`.
    public func sample(_ volume: Volume, index: Int, generator: inout SeededGenerator) throws -> Sample {
        let extent = volume.extent
        let highDose = index % 2 == 0 && !volume.highDoseVoxels.isEmpty
        var centre: [Int]
        if highDose {
            let voxel = volume.highDoseVoxels[Int(generator.nextInt(below: UInt64(volume.highDoseVoxels.count)))]
            centre = [voxel / (extent[1] * extent[2]), voxel / extent[2] % extent[1], voxel % extent[2]]
        } else {
            centre = extent.map { Int(generator.nextInt(below: UInt64($0))) }
        }
        for axis in 0..<3 where maxShift > 0 {
            centre[axis] += Int(generator.nextInt(below: UInt64(2 * maxShift + 1))) - maxShift
        }
        let flipped = generator.nextInt(below: 2) == 1
        let start = (0..<3).map { centre[$0] - patch[$0] / 2 }
        var input = crop(volume.input, extent: extent, start: start, flipped: flipped)
        if flipped, let femurs = femurChannels, femurs.left < input.shape[1], femurs.right < input.shape[1] {
            input = swapChannels(input, femurs.left, femurs.right)
        }
        return Sample(input: input, dose: crop(volume.dose, extent: extent, start: start, flipped: flipped), start: start,
                      flipped: flipped, highDoseCentre: highDose)
    }

    /// The patch of every channel at `start` (zero outside), mirrored along H when `flipped`:
    /// a flipped patch is the mirror image of the volume's mirror region, so what lay at the
    /// patch's larger columns now lies at its smaller ones.
    private func crop(_ tensor: Tensor, extent: [Int], start: [Int], flipped: Bool) -> Tensor {
        let channels = tensor.shape[1], volumeCount = extent.reduce(1, *), patchCount = patch.reduce(1, *)
        var elements = [Float](repeating: 0, count: channels * patchCount)
        for channel in 0..<channels {
            for d in 0..<patch[0] {
                let y = start[0] + d
                guard y >= 0, y < extent[0] else { continue }
                for h in 0..<patch[1] {
                    let x = start[1] + h
                    guard x >= 0, x < extent[1] else { continue }
                    let target = channel * patchCount + (d * patch[1] + (flipped ? patch[1] - 1 - h : h)) * patch[2]
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

import DoseCase

/// The dose inside one structure, with the spec's definitions (dosimetry.md, "DVH metrics"):
/// Dx by NumPy's `percentile(method='lower')`, Vx as the share of voxels receiving at least x Gy,
/// mean, maximum and minimum in Gy, volume in cc.
public struct StructureDose: Sendable {
    /// Doses in Gy of every voxel inside, ascending.
    public let sortedDosesGy: [Double]
    public let voxelVolumeCC: Double

    /// Collects the doses inside `mask` (non-zero voxels); `dose` holds stored values, multiplied
    /// by `scaleGy` (70 Gy for a case's `dose`, as every consumer reads it) in float32, as NumPy's
    /// `dose * 70` does, so percentiles and thresholds see the published numbers' values.
    public init(dose: [Float], mask: [UInt8], scaleGy: Double, voxelVolumeCC: Double) {
        self = mask.withUnsafeBufferPointer { StructureDose(dose: dose, mask: $0, scaleGy: scaleGy, voxelVolumeCC: voxelVolumeCC) }
    }

    /// The same from a mask held elsewhere (one channel of a stack), without copying it.
    public init(dose: [Float], mask: UnsafeBufferPointer<UInt8>, scaleGy: Double, voxelVolumeCC: Double) {
        var doses: [Double] = []
        dose.withUnsafeBufferPointer { dose in
            let scale = Float(scaleGy)
            for index in 0..<min(dose.count, mask.count) where mask[index] != 0 { doses.append(Double(dose[index] * scale)) }
        }
        sortedDosesGy = doses.sorted()
        self.voxelVolumeCC = voxelVolumeCC
    }

    public var voxels: Int { sortedDosesGy.count }
    public var isEmpty: Bool { sortedDosesGy.isEmpty }
    public var volumeCC: Double { Double(voxels) * voxelVolumeCC }
    public var meanGy: Double? { isEmpty ? nil : sortedDosesGy.reduce(0, +) / Double(voxels) }
    public var maxGy: Double? { sortedDosesGy.last }
    public var minGy: Double? { sortedDosesGy.first }
    public var medianGy: Double? { Percentile.lower(sortedValues: sortedDosesGy, percent: 50) }

    /// Dx: the dose at least `percent` % of the volume receives.
    public func doseGy(covering percent: Double) -> Double? { Percentile.dose(covering: percent, sortedDoses: sortedDosesGy) }

    /// Vx: the percentage of the volume receiving at least `gy`.
    public func volumePercent(receivingAtLeast gy: Double) -> Double? {
        guard !isEmpty else { return nil }
        return Double(voxels(receivingAtLeast: gy)) / Double(voxels) * 100
    }

    /// The cumulative DVH as points: the percentage of the volume receiving at least each dose
    /// from 0 up to the maximum in `stepGy` steps, then at the maximum itself (where the curve
    /// reaches its last voxel). Empty for an empty structure, and for a non-finite maximum (a
    /// dose holding infinity would have no last step).
    public func cumulativeCurve(stepGy: Double) -> [(doseGy: Double, volumePercent: Double)] {
        guard let maximum = maxGy, maximum.isFinite, stepGy > 0 else { return [] }
        var points: [(doseGy: Double, volumePercent: Double)] = []
        var index = 0.0
        while index * stepGy < maximum {
            points.append((index * stepGy, volumePercent(receivingAtLeast: index * stepGy) ?? 0))
            index += 1
        }
        points.append((maximum, volumePercent(receivingAtLeast: maximum) ?? 0))
        return points
    }

    /// Vx in cc: the volume receiving at least `gy`.
    public func volumeCC(receivingAtLeast gy: Double) -> Double? {
        isEmpty ? nil : Double(voxels(receivingAtLeast: gy)) * voxelVolumeCC
    }

    /// The count of voxels at or above `gy`, compared in float32 as NumPy compares a float32 array
    /// with a Python number.
    private func voxels(receivingAtLeast gy: Double) -> Int {
        let threshold = Double(Float(gy))
        var low = 0, high = voxels
        while low < high {
            let middle = (low + high) / 2
            if sortedDosesGy[middle] < threshold { low = middle + 1 } else { high = middle }
        }
        return voxels - low
    }

    /// NumPy's default (`method='linear'`) percentile, which OpenKBP's scores use.
    public func linearPercentileGy(_ percent: Double) -> Double? { Percentile.linear(sortedValues: sortedDosesGy, percent: percent) }
}

import Support
import Dispatch
import Dosimetry

/// A VMAT-like dose in Gy: a plateau over each PTV at its level, a steep fall-off outside it, and
/// a low-dose bath around the arcs' axis; zero outside the body.
///
/// Each target contributes `level · plateau(p) / (1 + (t / falloff)²)`, with `t` the distance in
/// mm beyond the target's dose edge (the PTV surface plus `edgeMM`); the dose is the largest
/// contribution. The plateau factor varies smoothly inside its range so the dose is not flat,
/// and stays ≥ 1.01 so that V100 ≥ 95 % and D95 ≥ 66.5 Gy hold on the ground truth, and ≤ 1.035
/// so Dmax stays under 107 % (spec, dosimetry.md acceptance tables). Only +, −, ×, ÷ are used.
struct PlanDose: Sendable {
    struct Level: Sendable {
        var doseGy: Double
        /// The target's clipped signed distance, normalised to ±1 (×`PhantomStructures.sdfClipMM` = mm).
        var signedDistance: [Float]
        var plateau: ClosedRange<Double>
        var edgeMM: Double
        var falloffMM: Double
    }

    var levels: [Level]
    var body: [UInt8]
    var ripple: RippleField
    var isocentre: Point3
    /// Slices the arcs cover fully: every target's extent plus a little.
    var arcZRange: ClosedRange<Double>

    /// The bath's peak as a fraction of 70 Gy, and the in-plane distance (mm) at which it halves.
    static let bathPeakFraction = 0.35
    static let bathHalfRadiusMM = 50.0
    static let bathZFalloffMM = 15.0
    static let referenceDoseGy = 70.0

    func doseGy(offset: Int, at p: Point3) -> Double {
        guard body[offset] != 0 else { return 0 }
        let dy = p.y - isocentre.y, dx = p.x - isocentre.x
        let radial = (dy * dy + dx * dx) / (Self.bathHalfRadiusMM * Self.bathHalfRadiusMM)
        let dz = p.z < arcZRange.lowerBound ? arcZRange.lowerBound - p.z : max(0, p.z - arcZRange.upperBound)
        let axial = dz / Self.bathZFalloffMM
        var dose = Self.referenceDoseGy * Self.bathPeakFraction / ((1 + radial) * (1 + axial * axial))
        let shade = ripple.value(at: p)
        for level in levels {
            let beyond = max(0, Double(level.signedDistance[offset]) * PhantomStructures.sdfClipMM - level.edgeMM) / level.falloffMM
            let plateau = level.plateau.lowerBound + (level.plateau.upperBound - level.plateau.lowerBound) * shade
            dose = max(dose, level.doseGy * plateau / (1 + beyond * beyond))
        }
        return dose
    }

    /// The whole volume, rows split between two workers (each voxel is computed alone, so the
    /// result does not depend on the split).
    func compute(on grid: PhantomGrid) -> [Double] {
        let shape = grid.shape
        var dose = [Double](repeating: 0, count: shape.voxelCount)
        dose.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let output = buffer
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                for row in stride(from: worker, to: shape.rows, by: 2) {
                    for column in 0..<shape.columns {
                        let base = shape.offset(row: row, column: column, slice: 0)
                        for slice in 0..<shape.slices {
                            output[base + slice] = doseGy(offset: base + slice, at: grid.position(row: row, column: column, slice: slice))
                        }
                    }
                }
            }
        }
        return dose
    }
}

/// A smooth field in [0, 1]: the mean of three smoothed triangle waves along y, x and z with
/// seeded wavelengths and phases. It shades dose plateaus the way real plans are never flat.
struct RippleField: Sendable, Hashable {
    var wavelengthsMM: Point3
    var phases: Point3

    static func sample(using g: inout SeededGenerator) -> RippleField {
        RippleField(wavelengthsMM: Point3(y: g.nextUniform(25, 45), x: g.nextUniform(25, 45), z: g.nextUniform(30, 60)),
                    phases: Point3(y: g.nextUnit(), x: g.nextUnit(), z: g.nextUnit()))
    }

    func value(at p: Point3) -> Double {
        (Self.wave(p.y / wavelengthsMM.y + phases.y) + Self.wave(p.x / wavelengthsMM.x + phases.x)
            + Self.wave(p.z / wavelengthsMM.z + phases.z)) / 3
    }

    /// A triangle wave of period 1 in [0, 1], smoothed by the cubic 3t² − 2t³.
    private static func wave(_ u: Double) -> Double {
        let t = abs(2 * (u - u.rounded(.down)) - 1)
        return t * t * (3 - 2 * t)
    }
}

import Foundation

/// The points at which the evaluated dose is sampled around each reference point: exactly the
/// shells pymedphys 0.41 samples (spec, dosimetry.md "Gamma index"), so pass rates agree with the
/// published ones. An exact continuous minimisation would find lower gammas in steep fall-off.
///
/// Radii follow pymedphys' loop: r = 0, then r += step with step = max(r/fraction/maxGamma,
/// DTA/fraction), the DTA itself inserted when crossed, while r ≤ maxGamma·DTA. A shell of radius
/// r with step s has ceil(π·r/s)+1 elevation rows over [0, π]; each row
/// ceil(2π·r·sin(elevation)/s)+1 azimuths over [0, 2π) — axis 2 is the polar axis.
///
/// A point's gamma is the minimum over all these samples of √((Δdose/ΔD)² + (r/DTA)²): pymedphys
/// stops at the first shell with r/DTA ≥ the best so far, and no later shell can go below that.
/// So the order in which samples are visited does not change the result (`GammaSampleCells`).
public struct GammaSearchPattern: Sendable {
    public struct Shell: Sendable {
        public let radiusMM: Double
        /// Indices into `offsets`.
        let points: Range<Int>
    }

    public let shells: [Shell]
    /// Offsets in mm along axes 0, 1, 2 of every point of every shell, shell after shell.
    let offsets: [SIMD3<Double>]

    public init(criteria: GammaCriteria) {
        var shells: [Shell] = [], offsets: [SIMD3<Double>] = []
        for (radius, step) in Self.radii(criteria: criteria) {
            let first = offsets.count
            for row in Self.shellRows(radius: radius, step: step) { offsets.append(contentsOf: row) }
            shells.append(Shell(radiusMM: radius, points: first..<offsets.count))
        }
        self.shells = shells
        self.offsets = offsets
    }

    public var pointCount: Int { offsets.count }

    /// The (radius, step) pairs pymedphys' `gamma_loop` visits for a single distance threshold,
    /// with its floating-point accumulation (r = 0.3 + 0.3 + … is not always a multiple of 0.3).
    static func radii(criteria: GammaCriteria) -> [(radius: Double, step: Double)] {
        let baseStep = criteria.distanceMM / criteria.interpolationFraction
        let maximum = criteria.distanceMM * criteria.maxGamma
        var forced: Double? = criteria.distanceMM
        var distance = 0.0, step = baseStep
        var result: [(Double, Double)] = []
        while distance <= maximum {
            result.append((distance, step))
            step = max(distance / criteria.interpolationFraction / criteria.maxGamma, baseStep)
            distance += step
            if let forcedDistance = forced, distance >= forcedDistance {
                distance = forcedDistance
                forced = nil
            }
        }
        return result
    }

    /// `calculate_coordinates_shell_3d`: rows of constant elevation, each a run of azimuths.
    static func shellRows(radius: Double, step: Double) -> [[SIMD3<Double>]] {
        let rowCount = Int((Double.pi * radius / step).rounded(.up)) + 1
        let elevations = linspace(to: .pi, count: rowCount, includingEnd: true)
        return elevations.map { elevation in
            let rowRadius = radius * sin(elevation)
            let azimuthCount = Int((2 * Double.pi * rowRadius / step).rounded(.up)) + 1
            let inPlane = radius * sin(elevation), polar = radius * cos(elevation)
            return linspace(to: 2 * .pi, count: azimuthCount, includingEnd: false).map { azimuth in
                SIMD3(inPlane * cos(azimuth), inPlane * sin(azimuth), polar)
            }
        }
    }

    /// `numpy.linspace(0, end, count)` (or `count + 1` points without the last): i·(end/div).
    static func linspace(to end: Double, count: Int, includingEnd: Bool) -> [Double] {
        guard count > 1 || !includingEnd else { return [0] }
        let divisions = includingEnd ? count - 1 : count
        let step = end / Double(divisions)
        var values = (0..<count).map { Double($0) * step }
        if includingEnd { values[count - 1] = end }
        return values
    }
}

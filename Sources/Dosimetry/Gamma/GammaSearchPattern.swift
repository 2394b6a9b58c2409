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
/// Each shell's points are grouped by neighbourhood (runs of one elevation row) with the group's
/// bounding box, so a search can rule out a whole group from a bound on the dose around it.
public struct GammaSearchPattern: Sendable {
    public struct Shell: Sendable {
        public let radiusMM: Double
        /// Indices into `groups`.
        public let groups: Range<Int>
    }

    struct Group: Sendable {
        /// Indices into the offset arrays.
        let points: Range<Int>
        let lowerMM: SIMD3<Double>
        let upperMM: SIMD3<Double>
    }

    public let shells: [Shell]
    let groups: [Group]
    /// Offsets in mm along axes 0, 1, 2 of every point of every shell, shell after shell.
    let offsets: [SIMD3<Double>]

    /// Points per group: small enough that a bound rules out part of a shell, large enough that
    /// looking the bound up costs little next to interpolating the points.
    static let pointsPerGroup = 12

    public init(criteria: GammaCriteria) {
        var shells: [Shell] = []
        var groups: [Group] = []
        var offsets: [SIMD3<Double>] = []
        for (radius, step) in Self.radii(criteria: criteria) {
            let firstGroup = groups.count
            for row in Self.shellRows(radius: radius, step: step) {
                var start = 0
                while start < row.count {
                    let end = min(start + Self.pointsPerGroup, row.count)
                    let points = row[start..<end]
                    var lower = SIMD3<Double>(repeating: .infinity), upper = SIMD3<Double>(repeating: -.infinity)
                    for point in points {
                        lower = pointwiseMin(lower, point)
                        upper = pointwiseMax(upper, point)
                    }
                    groups.append(Group(points: offsets.count..<(offsets.count + points.count), lowerMM: lower, upperMM: upper))
                    offsets.append(contentsOf: points)
                    start = end
                }
            }
            shells.append(Shell(radiusMM: radius, groups: firstGroup..<groups.count))
        }
        self.shells = shells
        self.groups = groups
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

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
        /// Indices into `sectors`.
        let sectors: Range<Int>
    }

    /// A box around some of a shell's points, with the indices of what it holds: a sector holds
    /// groups, a group holds points.
    struct Region: Sendable {
        let members: Range<Int>
        let lowerMM: SIMD3<Double>
        let upperMM: SIMD3<Double>
    }

    public let shells: [Shell]
    /// The octants of each shell (the groups whose centre lies there), so one bound can rule out
    /// an eighth of a large shell at once.
    let sectors: [Region]
    /// Runs of one elevation row.
    let groups: [Region]
    /// For each group (`groupCells[groupCellRanges[g]]`), the interpolation cells its points fall
    /// in, relative to the reference point's own cell: on a regular grid a reference point sits on
    /// a voxel, so the cells an offset lands in are the same for every interior point. A bound
    /// over exactly those cells is tighter and cheaper than one over the group's bounding box.
    let groupCellRanges: [Range<Int>]
    let groupCells: [SIMD3<Int>]
    /// For each offset, its one cell relative to the reference voxel's, or nil when it lies within
    /// rounding of a voxel plane (two cells could hold it).
    let sampleCells: [SIMD3<Int>?]
    /// Offsets in mm along axes 0, 1, 2 of every point of every shell, shell after shell.
    let offsets: [SIMD3<Double>]

    /// Points per group: small enough that a bound rules out part of a shell, large enough that
    /// looking the bound up costs little next to interpolating the points.
    static let pointsPerGroup = 12

    public init(criteria: GammaCriteria, spacingMM: [Double]) {
        var shells: [Shell] = [], sectors: [Region] = [], groups: [Region] = []
        var groupCellRanges: [Range<Int>] = [], groupCells: [SIMD3<Int>] = []
        var offsets: [SIMD3<Double>] = []
        for (radius, step) in Self.radii(criteria: criteria) {
            // The shell's points in runs of one row, bucketed by the octant of each run's centre;
            // the order of a shell's points does not change its minimum.
            var octants = [[ArraySlice<SIMD3<Double>>]](repeating: [], count: 8)
            for row in Self.shellRows(radius: radius, step: step) {
                var start = 0
                while start < row.count {
                    let end = min(start + Self.pointsPerGroup, row.count)
                    let run = row[start..<end]
                    let centre = run.reduce(SIMD3<Double>(repeating: 0), +) / Double(run.count)
                    octants[(centre.x >= 0 ? 1 : 0) + (centre.y >= 0 ? 2 : 0) + (centre.z >= 0 ? 4 : 0)].append(run)
                    start = end
                }
            }
            let firstSector = sectors.count
            for runs in octants where !runs.isEmpty {
                let firstGroup = groups.count
                for run in runs {
                    groups.append(Region(members: offsets.count..<(offsets.count + run.count), box: Array(run)))
                    offsets.append(contentsOf: run)
                    let cells = Set(run.flatMap { Self.cells(of: $0, spacingMM: spacingMM) })
                    groupCellRanges.append(groupCells.count..<(groupCells.count + cells.count))
                    groupCells.append(contentsOf: cells.sorted { ($0.x, $0.y, $0.z) < ($1.x, $1.y, $1.z) })
                }
                let held = groups[firstGroup...]
                sectors.append(Region(members: firstGroup..<groups.count, box: held.map(\.lowerMM) + held.map(\.upperMM)))
            }
            shells.append(Shell(radiusMM: radius, sectors: firstSector..<sectors.count))
        }
        self.shells = shells
        self.sectors = sectors
        self.groups = groups
        self.groupCellRanges = groupCellRanges
        self.groupCells = groupCells
        self.offsets = offsets
        sampleCells = offsets.map { offset in
            let cells = Self.cells(of: offset, spacingMM: spacingMM)
            return cells.count == 1 ? cells[0] : nil
        }
    }

    /// The cells (relative to the reference voxel's) whose corners interpolate `offset`: one per
    /// axis, or both neighbours when the offset lies within rounding of a voxel plane.
    static func cells(of offset: SIMD3<Double>, spacingMM: [Double]) -> [SIMD3<Int>] {
        let candidates = (0..<3).map { axis -> [Int] in
            let position = offset[axis] / spacingMM[axis], nearest = position.rounded()
            return abs(position - nearest) < 1e-9 ? [Int(nearest) - 1, Int(nearest)] : [Int(position.rounded(.down))]
        }
        return candidates[0].flatMap { x in candidates[1].flatMap { y in candidates[2].map { z in SIMD3(x, y, z) } } }
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

extension GammaSearchPattern.Region {
    /// The region of `members` bounding `points`.
    init(members: Range<Int>, box points: [SIMD3<Double>]) {
        self.init(members: members, lowerMM: points.reduce(SIMD3(repeating: .infinity), pointwiseMin),
                  upperMM: points.reduce(SIMD3(repeating: -.infinity), pointwiseMax))
    }
}

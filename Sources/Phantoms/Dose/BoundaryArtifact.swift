import Dosimetry

/// The D95 artifact (spec, "Known defects"): the dose's high-dose edge lies inside the PTV, so its
/// outer voxels sit in the fall-off. D95 drops while the mean stays near Rx, and D95 recovers
/// once the PTV is eroded by 1–2 mm. Modelled as a near-step (0.5 mm) fall-off starting `k` mm inside
/// the PTV70 surface, with `k` found by bisection so that D95 lands on the target.
enum BoundaryArtifact {
    static let falloffMM = 0.5

    static func calibrate(_ plan: PlanDose, grid: PhantomGrid, ptv70: [UInt8], targetD95Gy: Double) -> PlanDose {
        var inside: [(offset: Int, point: Point3)] = []
        let shape = grid.shape
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                for slice in 0..<shape.slices {
                    let offset = shape.offset(row: row, column: column, slice: slice)
                    if ptv70[offset] != 0 { inside.append((offset, grid.position(row: row, column: column, slice: slice))) }
                }
            }
        }
        func withDepth(_ depthMM: Double) -> PlanDose {
            var shifted = plan
            shifted.levels[0].edgeMM = -depthMM
            shifted.levels[0].falloffMM = falloffMM
            return shifted
        }
        func d95(_ candidate: PlanDose) -> Double {
            let doses = inside.map { candidate.doseGy(offset: $0.offset, at: $0.point) }.sorted()
            return Percentile.dose(covering: 95, sortedDoses: doses) ?? 0
        }
        var shallow = 0.0, deep = 15.0
        for _ in 0..<40 {
            let middle = (shallow + deep) / 2
            if d95(withDepth(middle)) > targetD95Gy { shallow = middle } else { deep = middle }
        }
        return withDepth((shallow + deep) / 2)
    }
}

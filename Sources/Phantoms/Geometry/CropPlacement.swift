import Support
import DoseCase
import Dosimetry

/// Where the pipeline's crop puts a case's grid around the anatomy (spec, "Shapes"): v2.3/v2.4
/// crop a fixed in-plane size around the prostate and span every structure ± a margin in z (at
/// least the size's minimum slices); v2.2 used one fixed grid for every case. The crop's indices
/// in the (imagined) original CT are what `metadata.crop_box` records.
struct CropPlacement: Sendable {
    var grid: PhantomGrid
    /// Half-open index ranges of the crop in the original CT, and the prostate centre's voxel there.
    var rowStart: Int, columnStart: Int, sliceStart: Int
    var centroidVoxel: (row: Int, column: Int, slice: Int)

    /// `structures` are the solids whose z extent the crop must hold; `topAtMM`, when given, puts
    /// the last slice there instead (a crop that cuts structures above it).
    static func place(structures: [Solid], size: PhantomSize, fixedGrid: Bool, topAtMM: Double?,
                      using g: inout SeededGenerator) -> CropPlacement {
        let spacing = size.spacingMM
        let extent = structures.map(\.bounds).reduce(structures[0].bounds) { $0.union($1) }
        let slices = fixedGrid
            ? size.fixedGridSlices
            : max(size.minimumSlices, Int(((extent.upper.z - extent.lower.z + 2 * size.zMarginMM) / spacing[2]).rounded(.up)))
        // v2.3/v2.4 centre the crop on the prostate; v2.2's fixed grid sits wherever the scan put it.
        let inPlaneOffset = fixedGrid ? Point3(y: g.nextUniform(-10, 10), x: g.nextUniform(-10, 10), z: 0) : Point3(y: 0, x: 0, z: 0)
        let jitter = Point3(y: g.nextUniform(-0.5, 0.5) * spacing[0], x: g.nextUniform(-0.5, 0.5) * spacing[1],
                            z: g.nextUniform(-0.5, 0.5) * spacing[2])
        let zCentre = (extent.lower.z + extent.upper.z) / 2
        let firstSliceZ = topAtMM.map { $0 - Double(slices - 1) * spacing[2] } ?? zCentre - Double(slices - 1) / 2 * spacing[2]
        let origin = Point3(y: -Double(size.rows / 2) * spacing[0] + inPlaneOffset.y + jitter.y,
                            x: -Double(size.columns / 2) * spacing[1] + inPlaneOffset.x + jitter.x,
                            z: firstSliceZ + jitter.z)
        let grid = PhantomGrid(shape: VolumeShape(rows: size.rows, columns: size.columns, slices: slices),
                               spacingMM: spacing, origin: origin)
        let originalRows = Int((512 / spacing[0]).rounded())
        let rowStart = originalRows / 2 - size.rows / 2 + Int(g.nextInt(below: 17)) - 8
        let columnStart = originalRows / 2 - size.columns / 2 + Int(g.nextInt(below: 17)) - 8
        let sliceStart = 10 + Int(g.nextInt(below: 31))
        func index(_ value: Double, _ start: Double, _ step: Double) -> Int { Int(((value - start) / step).rounded()) }
        let centroid = (row: rowStart + index(0, origin.y, spacing[0]), column: columnStart + index(0, origin.x, spacing[1]),
                        slice: sliceStart + index(0, origin.z, spacing[2]))
        return CropPlacement(grid: grid, rowStart: rowStart, columnStart: columnStart, sliceStart: sliceStart, centroidVoxel: centroid)
    }
}

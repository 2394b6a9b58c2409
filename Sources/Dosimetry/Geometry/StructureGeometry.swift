import DoseCase

/// Where a structure sits in its grid: voxel count, centroid (voxel indices and mm), bounding box
/// and how many of its voxels lie on each face of the volume (a structure cut by the crop).
public struct StructureGeometry: Sendable {
    public let voxels: Int
    /// Mean (row, column, slice) of the structure's voxels; nil when empty.
    public let centroidVoxel: [Double]?
    public let box: VoxelBox?
    /// Voxels on the faces row 0, last row, column 0, last column, slice 0, last slice.
    public let faceContacts: [Int]

    public static let faceNames = ["first row (anterior)", "last row (posterior)", "first column (patient right)",
                                   "last column (patient left)", "first slice (inferior)", "last slice (superior)"]

    public init(mask: [UInt8], shape: VolumeShape) {
        self = mask.withUnsafeBufferPointer { StructureGeometry(mask: $0, shape: shape) }
    }

    /// The same from a mask held elsewhere (one channel of a stack), without copying it.
    public init(mask: UnsafeBufferPointer<UInt8>, shape: VolumeShape) {
        // Scalars, not arrays, in the loop: it runs once per voxel of the grid.
        var rowSum = 0.0, columnSum = 0.0, sliceSum = 0.0, count = 0
        var lowRow = Int.max, lowColumn = Int.max, lowSlice = Int.max, highRow = -1, highColumn = -1, highSlice = -1
        var faces = [Int](repeating: 0, count: 6)
        if mask.count >= shape.voxelCount {
            for row in 0..<shape.rows {
                for column in 0..<shape.columns {
                    let base = shape.offset(row: row, column: column, slice: 0)
                    var runCount = 0, runSliceSum = 0, firstSlice = -1, lastSlice = -1
                    for slice in 0..<shape.slices where mask[base + slice] != 0 {
                        runCount += 1
                        runSliceSum += slice
                        if firstSlice < 0 { firstSlice = slice }
                        lastSlice = slice
                    }
                    guard runCount > 0 else { continue }
                    count += runCount
                    rowSum += Double(row * runCount)
                    columnSum += Double(column * runCount)
                    sliceSum += Double(runSliceSum)
                    lowRow = min(lowRow, row); highRow = max(highRow, row)
                    lowColumn = min(lowColumn, column); highColumn = max(highColumn, column)
                    lowSlice = min(lowSlice, firstSlice); highSlice = max(highSlice, lastSlice)
                    if row == 0 { faces[0] += runCount }
                    if row == shape.rows - 1 { faces[1] += runCount }
                    if column == 0 { faces[2] += runCount }
                    if column == shape.columns - 1 { faces[3] += runCount }
                    if firstSlice == 0 { faces[4] += 1 }
                    if lastSlice == shape.slices - 1 { faces[5] += 1 }
                }
            }
        }
        let sums = [rowSum, columnSum, sliceSum]
        let lower = [lowRow, lowColumn, lowSlice], upper = [highRow, highColumn, highSlice]
        voxels = count
        centroidVoxel = count == 0 ? nil : sums.map { $0 / Double(count) }
        box = count == 0 ? nil : VoxelBox(rows: lower[0]..<(upper[0] + 1), columns: lower[1]..<(upper[1] + 1),
                                          slices: lower[2]..<(upper[2] + 1))
        faceContacts = faces
    }

    /// The centroid in mm from the grid's first voxel centre.
    public func centroidMM(spacingMM: [Double]) -> [Double]? {
        centroidVoxel.map { zip($0, spacingMM).map { $0 * $1 } }
    }

    /// The largest share of the structure's voxels lying on any one face.
    public var largestFaceShare: Double {
        voxels == 0 ? 0 : Double(faceContacts.max() ?? 0) / Double(voxels)
    }
}

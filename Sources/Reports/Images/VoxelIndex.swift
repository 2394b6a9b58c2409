/// One voxel of a (row, column, slice) grid: where the three slice planes of a figure cross.
/// For a figure through a structure, round its centroid (`StructureGeometry.centroidVoxel`).
public struct VoxelIndex: Sendable, Hashable, CustomStringConvertible {
    public let row: Int
    public let column: Int
    public let slice: Int

    public init(row: Int, column: Int, slice: Int) {
        self.row = row
        self.column = column
        self.slice = slice
    }

    public var description: String { "(row \(row), column \(column), slice \(slice))" }
}

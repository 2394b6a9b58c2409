import DoseCase
import NumpyFormat

/// Erosion and dilation by a Euclidean ball of a radius in millimetres, on anisotropic grids:
/// what `scipy.ndimage.binary_erosion` / `binary_dilation` compute with a ball-shaped structuring
/// element of that radius (offsets whose physical length is ≤ radius) and the default border
/// (outside the grid counts as outside the mask). Both run the exact distance transform on the
/// mask's bounding box only.
public enum Morphology {
    /// Voxels whose every neighbour within `radiusMM` is inside the mask: those whose nearest
    /// outside voxel (or the grid's border) lies farther than `radiusMM`.
    public static func erode(_ mask: Volume<UInt8>, spacingMM: [Double], radiusMM: Double) throws -> Volume<UInt8> {
        let shape = mask.shape
        var result = [UInt8](repeating: 0, count: shape.voxelCount)
        guard let box = VoxelBox.enclosing(mask) else { return try Volume(shape: shape, elements: result) }
        // One voxel of padding on every side stands for the outside, including beyond the grid.
        let padded = VolumeShape(rows: box.rows.count + 2, columns: box.columns.count + 2, slices: box.slices.count + 2)
        var inside = [Bool](repeating: false, count: padded.voxelCount)
        for row in box.rows {
            for column in box.columns {
                for slice in box.slices where mask[row, column, slice] != 0 {
                    inside[padded.offset(row: row - box.rows.lowerBound + 1, column: column - box.columns.lowerBound + 1,
                                         slice: slice - box.slices.lowerBound + 1)] = true
                }
            }
        }
        let toOutside = DistanceTransform.distanceMM(shape: padded, spacingMM: spacingMM) { !inside[$0] }
        for row in box.rows {
            for column in box.columns {
                for slice in box.slices {
                    let local = padded.offset(row: row - box.rows.lowerBound + 1, column: column - box.columns.lowerBound + 1,
                                              slice: slice - box.slices.lowerBound + 1)
                    if inside[local], toOutside[local] > radiusMM { result[shape.offset(row: row, column: column, slice: slice)] = 1 }
                }
            }
        }
        return try Volume(shape: shape, elements: result)
    }

    /// Voxels within `radiusMM` of the mask.
    public static func dilate(_ mask: Volume<UInt8>, spacingMM: [Double], radiusMM: Double) throws -> Volume<UInt8> {
        let shape = mask.shape
        var result = [UInt8](repeating: 0, count: shape.voxelCount)
        guard let bounds = VoxelBox.enclosing(mask) else { return try Volume(shape: shape, elements: result) }
        let box = bounds.grown(by: VoxelBox.reach(radiusMM, spacingMM: spacingMM), within: shape)
        var local: [UInt8] = []
        local.reserveCapacity(box.shape.voxelCount)
        box.forEachVoxel(in: shape) { _, offset in local.append(mask.elements[offset]) }
        let toMask = DistanceTransform.distanceMM(shape: box.shape, spacingMM: spacingMM) { local[$0] != 0 }
        box.forEachVoxel(in: shape) { localOffset, offset in
            if toMask[localOffset] <= radiusMM { result[offset] = 1 }
        }
        return try Volume(shape: shape, elements: result)
    }
}

import DoseCase
import NumpyFormat

/// The air around the patient: CT voxels below an air threshold that connect, face to face, to
/// a face of the volume. A planning system computes dose inside the external contour only, so a
/// predicted dose there is the model's error and `predict` sets it to 0. Gas inside the patient
/// (rectum, bowel) lies below the threshold too but does not reach a face, and keeps its dose.
public enum ExternalAir {
    /// Half-way between air (−1000 HU) and water: what a CT's body outline is drawn at.
    public static let thresholdHU: Float = -500
    /// The threshold in the case format's CT scale, `clip(HU, −1000, 3000) / 4000 + 0.5`.
    public static let normalizedThreshold: Float = thresholdHU / 4000 + 0.5

    /// True for the external air of a CT stored in the case format's scale.
    public static func mask(normalizedCT volume: Volume<Float>) -> [Bool] {
        let shape = volume.shape, ct = volume.elements
        let rows = shape.rows, columns = shape.columns, slices = shape.slices
        var outside = [Bool](repeating: false, count: ct.count)
        var frontier: [Int] = []
        func visit(_ offset: Int) {
            // NaN is not air: a voxel of unknown CT keeps its dose.
            guard !outside[offset], ct[offset] < normalizedThreshold else { return }
            outside[offset] = true
            frontier.append(offset)
        }
        for row in 0..<rows {
            for column in 0..<columns {
                for slice in 0..<slices where row == 0 || row == rows - 1 || column == 0 || column == columns - 1 || slice == 0 || slice == slices - 1 {
                    visit(shape.offset(row: row, column: column, slice: slice))
                }
            }
        }
        let rowStride = columns * slices
        while let offset = frontier.popLast() {
            let row = offset / rowStride, column = offset / slices % columns, slice = offset % slices
            if row > 0 { visit(offset - rowStride) }
            if row < rows - 1 { visit(offset + rowStride) }
            if column > 0 { visit(offset - slices) }
            if column < columns - 1 { visit(offset + slices) }
            if slice > 0 { visit(offset - 1) }
            if slice < slices - 1 { visit(offset + 1) }
        }
        return outside
    }
}

/// A labelled point at a continuous voxel position (a centroid a check measured), marked on
/// every panel where it projects; its marker carries `data-row`, `data-column` and `data-slice`.
struct EvidencePoint {
    let label: String
    let colour: RGBColour
    /// (row, column, slice), fractional.
    let voxel: [Double]
}

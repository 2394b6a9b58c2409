/// A region's edge drawn on a slice panel in one colour: a structure, an eroded structure, an
/// isodose level. `mask` is the region on the panel's pixels (non-zero inside).
public struct SliceOutline: Sendable {
    public let mask: DisplaySlice<UInt8>
    public let colour: RGBColour

    public init(mask: DisplaySlice<UInt8>, colour: RGBColour) {
        self.mask = mask
        self.colour = colour
    }

    /// Pixels inside with a 4-neighbour outside (the image's border counts as outside): a line one
    /// pixel wide that lies on the region, so nested regions (a PTV and its erosions) stay apart.
    func isEdge(x: Int, y: Int) -> Bool {
        guard mask[x: x, y: y] != 0 else { return false }
        for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
            let (nx, ny) = (x + dx, y + dy)
            if nx < 0 || ny < 0 || nx >= mask.width || ny >= mask.height || mask[x: nx, y: ny] == 0 { return true }
        }
        return false
    }
}

/// A labelled point on a slice panel (a structure's centroid): a ring with a cross at `x`, `y`
/// (panel pixels from its top-left corner, a pixel's centre at +0.5), drawn in the SVG and into
/// the PNG. `data` is written on the marker's `g class="marker"` as it is given, so a reader can
/// check the drawn point against the numbers it stands for (the voxel position it came from).
public struct SliceMarker: Sendable {
    public let label: String
    public let colour: RGBColour
    public let x: Double
    public let y: Double
    public let data: [(String, String)]

    public init(label: String, colour: RGBColour, x: Double, y: Double, data: [(String, String)] = []) {
        self.label = label
        self.colour = colour
        self.x = x
        self.y = y
        self.data = data
    }

    /// Ring radius in px: visible on a 112-pixel panel without hiding the structure under it.
    static let radius = 5.0

    /// The cross, painted into the panel's pixels.
    func paint(on image: inout RasterImage) {
        let (centreX, centreY) = (Int(x.rounded(.down)), Int(y.rounded(.down)))
        let reach = Int(Self.radius)
        for offset in -reach...reach {
            for (px, py) in [(centreX + offset, centreY), (centreX, centreY + offset)]
            where px >= 0 && py >= 0 && px < image.width && py < image.height {
                image[x: px, y: py] = colour
            }
        }
    }
}

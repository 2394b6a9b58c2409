/// One painted panel of a slice figure: a CT backdrop in grey, a colour overlay where it has a
/// value, and optionally a structure's outline, with the panel's title and plane.
public struct SlicePanel: Sendable {
    public let title: String
    public let plane: SlicePlane
    public let image: RasterImage

    /// How strongly the overlay covers the CT: enough to read the colour against the colour bar,
    /// little enough that the anatomy shows through.
    public static let overlayOpacity = 0.6
    /// Outline colour: red stands apart from every viridis colour and from grey CT.
    public static let outlineColour = RGBColour(hex: 0xFF2D2D)

    /// `overlay` holds one value per pixel of `backdrop`'s size, NaN where nothing is drawn; `ct`
    /// is absent for formats without CT (the panel's background is then black, as air is).
    init(title: String, plane: SlicePlane, ct: DisplaySlice<Float>?, ctUnits: CTUnits, ctWindow: ColourScale,
         overlay: DisplaySlice<Float>, scale: ColourScale, outline: DisplaySlice<UInt8>? = nil) {
        var pixels = [UInt8](repeating: 0, count: overlay.values.count * 3)
        for index in overlay.values.indices {
            var colour = ct.map { ctWindow.colour(of: ctUnits.hounsfield($0.values[index])) } ?? .black
            let value = overlay.values[index]
            if !value.isNaN { colour = colour.blended(with: scale.colour(of: Double(value)), opacity: Self.overlayOpacity) }
            (pixels[3 * index], pixels[3 * index + 1], pixels[3 * index + 2]) = (colour.red, colour.green, colour.blue)
        }
        var image = RasterImage(width: overlay.width, height: overlay.height, rgb: pixels)
        if let outline {
            for y in 0..<outline.height {
                for x in 0..<outline.width where Self.isEdge(outline, x: x, y: y) { image[x: x, y: y] = Self.outlineColour }
            }
        }
        self.title = title
        self.plane = plane
        self.image = image
    }

    /// Inside the mask with a 4-neighbour outside it (the image's border counts as outside).
    private static func isEdge(_ mask: DisplaySlice<UInt8>, x: Int, y: Int) -> Bool {
        guard mask[x: x, y: y] != 0 else { return false }
        for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
            let (nx, ny) = (x + dx, y + dy)
            if nx < 0 || ny < 0 || nx >= mask.width || ny >= mask.height || mask[x: nx, y: ny] == 0 { return true }
        }
        return false
    }
}

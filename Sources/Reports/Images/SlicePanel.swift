/// One painted panel of a slice figure: a CT backdrop in grey, a colour overlay where it has a
/// value, outlines in their colours and labelled markers, with the panel's title and plane.
public struct SlicePanel: Sendable {
    public let title: String
    public let plane: SlicePlane
    /// The index the plane holds fixed (the axial panel's slice), written on the panel's SVG group
    /// as `data-fixed-index`; nil when the caller does not say.
    public let fixedIndex: Int?
    public let image: RasterImage
    /// Drawn over the image by the figure's SVG, and painted into `image` as crosses.
    public let markers: [SliceMarker]

    /// How strongly the overlay covers the CT: enough to read the colour against the colour bar,
    /// little enough that the anatomy shows through.
    public static let overlayOpacity = 0.6
    /// Outline colour: red stands apart from every viridis colour and from grey CT.
    public static let outlineColour = RGBColour(hex: 0xFF2D2D)

    /// `overlay` holds one value per pixel of `backdrop`'s size, NaN where nothing is drawn (nil:
    /// no overlay); `ct` is absent for formats without CT (the panel's background is then black, as
    /// air is). Outlines are painted in order, so a later one lies over an earlier one.
    init(title: String, plane: SlicePlane, fixedIndex: Int? = nil, ct: DisplaySlice<Float>?, ctUnits: CTUnits, ctWindow: ColourScale,
         overlay: DisplaySlice<Float>?, scale: ColourScale?, outlines: [SliceOutline] = [], markers: [SliceMarker] = []) {
        let width = overlay?.width ?? ct?.width ?? outlines.first?.mask.width ?? 0
        let height = overlay?.height ?? ct?.height ?? outlines.first?.mask.height ?? 0
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<(width * height) {
            var colour = ct.map { ctWindow.colour(of: ctUnits.hounsfield($0.values[index])) } ?? .black
            if let overlay, let scale, !overlay.values[index].isNaN {
                colour = colour.blended(with: scale.colour(of: Double(overlay.values[index])), opacity: Self.overlayOpacity)
            }
            (pixels[3 * index], pixels[3 * index + 1], pixels[3 * index + 2]) = (colour.red, colour.green, colour.blue)
        }
        var image = RasterImage(width: width, height: height, rgb: pixels)
        for outline in outlines where outline.mask.width == width && outline.mask.height == height {
            for y in 0..<height {
                for x in 0..<width where outline.isEdge(x: x, y: y) { image[x: x, y: y] = outline.colour }
            }
        }
        for marker in markers { marker.paint(on: &image) }
        self.title = title
        self.plane = plane
        self.fixedIndex = fixedIndex
        self.image = image
        self.markers = markers
    }
}

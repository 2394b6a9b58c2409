/// An RGB picture being painted: a slice panel, or the whole figure's panels composited.
public struct RasterImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Rows top to bottom, three bytes (red, green, blue) per pixel.
    public private(set) var rgb: [UInt8]

    public init(width: Int, height: Int, fill: RGBColour) {
        self.width = max(0, width)
        self.height = max(0, height)
        rgb = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for pixel in 0..<(self.width * self.height) { write(fill, at: pixel * 3) }
    }

    /// `rgb` must hold `width × height × 3` bytes (the painters make it so).
    init(width: Int, height: Int, rgb: [UInt8]) {
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    public subscript(x x: Int, y y: Int) -> RGBColour {
        get {
            let start = (y * width + x) * 3
            return RGBColour(red: rgb[start], green: rgb[start + 1], blue: rgb[start + 2])
        }
        set { write(newValue, at: (y * width + x) * 3) }
    }

    /// Copies `image` with its top-left corner at (`x`, `y`); what falls outside is dropped.
    public mutating func draw(_ image: RasterImage, x left: Int, y top: Int) {
        for y in max(0, -top)..<max(0, min(image.height, height - top)) {
            for x in max(0, -left)..<max(0, min(image.width, width - left)) { self[x: x + left, y: y + top] = image[x: x, y: y] }
        }
    }

    public func png() throws -> [UInt8] { try PNGEncoder.encode(rgb: rgb, width: width, height: height) }

    private mutating func write(_ colour: RGBColour, at start: Int) {
        rgb[start] = colour.red
        rgb[start + 1] = colour.green
        rgb[start + 2] = colour.blue
    }
}

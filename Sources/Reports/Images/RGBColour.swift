/// An sRGB colour, eight bits per channel.
public struct RGBColour: Sendable, Hashable {
    public let red: UInt8
    public let green: UInt8
    public let blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// From a 24-bit literal such as `0x440154`, as colour tables print them.
    public init(hex value: UInt32) {
        self.init(red: UInt8((value >> 16) & 0xFF), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// `#rrggbb`, for SVG fills.
    public var hex: String {
        "#" + [red, green, blue].map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    public static let black = RGBColour(hex: 0x000000)
    public static let white = RGBColour(hex: 0xFFFFFF)

    /// `self` covered by `top` at `opacity` (0 = only `self`, 1 = only `top`), per channel in
    /// sRGB values as browsers composite.
    public func blended(with top: RGBColour, opacity: Double) -> RGBColour {
        let weight = min(max(opacity, 0), 1)
        return RGBColour(red: Self.mix(red, top.red, weight), green: Self.mix(green, top.green, weight), blue: Self.mix(blue, top.blue, weight))
    }

    @inline(__always)
    private static func mix(_ bottom: UInt8, _ top: UInt8, _ weight: Double) -> UInt8 {
        UInt8((Double(bottom) + (Double(top) - Double(bottom)) * weight).rounded())
    }
}

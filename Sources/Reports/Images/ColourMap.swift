/// A colour map: anchor colours at fractions 0…1, interpolated linearly in sRGB between them.
/// `stops` is what a colour bar draws (one SVG gradient stop each). Two stops at the same
/// fraction make a jump (the gamma map's γ = 1).
public struct ColourMap: Sendable, Hashable {
    public struct Stop: Sendable, Hashable {
        public let fraction: Double
        public let colour: RGBColour

        public init(fraction: Double, colour: RGBColour) {
            self.fraction = fraction
            self.colour = colour
        }

        public var hex: String { colour.hex }
    }

    public let name: String
    /// Fractions ascending from 0 to 1.
    public let stops: [Stop]

    public init(name: String, stops: [Stop]) {
        self.name = name
        self.stops = stops
    }

    private init(name: String, evenlySpaced hexValues: [UInt32]) {
        let last = Double(hexValues.count - 1)
        self.init(name: name, stops: hexValues.enumerated().map { Stop(fraction: Double($0.offset) / last, colour: RGBColour(hex: $0.element)) })
    }

    /// The colour at `fraction`, clamped to 0…1; NaN reads as 0. At a jump the stop before it wins,
    /// so γ = 1 exactly is drawn as a pass.
    public func colour(at fraction: Double) -> RGBColour {
        guard let first = stops.first else { return .black }
        let value = fraction.isNaN ? 0 : min(max(fraction, 0), 1)
        guard value > first.fraction else { return first.colour }
        // A plain index loop: this runs for every overlay pixel of every panel.
        var upper = 1
        while upper < stops.count - 1 && stops[upper].fraction < value { upper += 1 }
        guard upper < stops.count else { return first.colour }
        let (low, high) = (stops[upper - 1], stops[upper])
        let span = high.fraction - low.fraction
        return span > 0 ? low.colour.blended(with: high.colour, opacity: (value - low.fraction) / span) : high.colour
    }

    /// Dose: matplotlib's viridis at eleven evenly spaced anchors (its published 0.0, 0.1, …, 1.0
    /// values). Perceptually uniform and rising in lightness from dark violet to yellow, so more
    /// dose always reads as lighter, also in greyscale print and for colour-blind readers.
    public static let dose = ColourMap(name: "viridis", evenlySpaced: [
        0x440154, 0x482475, 0x414487, 0x355F8D, 0x2A788E, 0x21918C, 0x22A884, 0x44BF70, 0x7AD151, 0xBDDF26, 0xFDE725,
    ])

    /// Dose difference: ColorBrewer's 11-class RdBu, reversed so negative (prediction below
    /// reference) is blue and positive red, with its near-white centre made pure white at 0.5.
    public static let difference = ColourMap(name: "blue-white-red (ColorBrewer RdBu)", evenlySpaced: [
        0x053061, 0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xFFFFFF, 0xFDDBC7, 0xF4A582, 0xD6604D, 0xB2182B, 0x67001F,
    ])

    /// Gamma on 0…2: passing values (γ ≤ 1, the lower half) in blues lightening towards teal,
    /// failing values (γ > 1) jumping to orange and darkening to deep red at γ = 2 (and above),
    /// so pass and fail differ in hue, not only in shade. Anchors from ColorBrewer's YlGnBu and
    /// YlOrRd.
    public static let gamma = ColourMap(name: "gamma pass (blue) / fail (orange-red)", stops: [
        Stop(fraction: 0, colour: RGBColour(hex: 0x0C2C84)),
        Stop(fraction: 0.25, colour: RGBColour(hex: 0x225EA8)),
        Stop(fraction: 0.5, colour: RGBColour(hex: 0x41B6C4)),
        Stop(fraction: 0.5, colour: RGBColour(hex: 0xFEB24C)),
        Stop(fraction: 0.75, colour: RGBColour(hex: 0xF03B20)),
        Stop(fraction: 1, colour: RGBColour(hex: 0x800026)),
    ])

    /// CT: black to white.
    public static let grey = ColourMap(name: "grey", evenlySpaced: [0x000000, 0xFFFFFF])
}

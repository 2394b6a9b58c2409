/// A colour map laid over a value range: what a panel paints and what its colour bar shows.
public struct ColourScale: Sendable, Hashable {
    public let map: ColourMap
    /// The values drawn at the map's two ends; values beyond them take the end colours.
    public let lower: Double
    public let upper: Double
    /// The colour bar's title, with its unit ("Dose (Gy)").
    public let label: String

    public init(map: ColourMap, lower: Double, upper: Double, label: String) throws {
        guard lower.isFinite, upper.isFinite, upper > lower else {
            throw ImageError.invalidParameter(name: "\(label) range upper end", value: upper, expected: "a finite number above \(lower)")
        }
        self.map = map
        self.lower = lower
        self.upper = upper
        self.label = label
    }

    public func fraction(of value: Double) -> Double { (value - lower) / (upper - lower) }

    public func colour(of value: Double) -> RGBColour { map.colour(at: fraction(of: value)) }

    /// A CT grey window: `levelHU ± widthHU / 2` from black to white.
    public static func ctWindow(widthHU: Double, levelHU: Double) throws -> ColourScale {
        try ColourScale(map: .grey, lower: levelHU - widthHU / 2, upper: levelHU + widthHU / 2, label: "CT (HU)")
    }

    /// The soft-tissue window, W 400 / L 40 HU (−160…240 HU): prostate, rectum, bladder and
    /// muscle separate; fat is dark and bone white.
    public static let softTissueCT = ColourScale(map: .grey, checkedLower: -160, upper: 240, label: "CT (HU)")

    private init(map: ColourMap, checkedLower lower: Double, upper: Double, label: String) {
        self.map = map
        self.lower = lower
        self.upper = upper
        self.label = label
    }
}

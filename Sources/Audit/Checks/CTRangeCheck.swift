/// `ct.range`: CT values are `clip(HU, -1000, 3000) / 4000 + 0.5`, so they lie in [0.25, 1.25]
/// and air sits at 0.25 (spec, "Keys"). v2.2 stored raw pixel values (HU + 1024) without the
/// rescale: air then sits near 0.506 and soft tissue near 0.756 (spec, "Known defects").
public struct CTRangeCheck: CaseCheck {
    public static let id = "ct.range"
    public static let expectedRange: ClosedRange<Double> = 0.25...1.25
    public static let errorRange: ClosedRange<Double> = 0.2...1.3
    /// Air as raw stored pixels: (−1000 + 1024) / 4000 + 0.5.
    public static let rawPixelAir = 0.506
    public static let rawPixelAirTolerance = 0.03
    /// Soft tissue (0 HU) is 0.5 after the rescale, 0.756 as raw pixels: a median above this with
    /// air near 0.5 means the rescale never happened.
    public static let rawPixelMedianAbove = 0.62
    /// The percentile taken as the air level.
    public static let airPercentile = 1.0

    public let definition = CheckDefinition(
        id: id, purpose: "CT is HU/4000+0.5 in [0.25, 1.25], not raw pixel values",
        severityRule: "error when air sits near 0.5 (raw pixels, not HU) or values leave [0.2, 1.3]; warning when they leave [0.25, 1.25]",
        arraysRead: ["ct"], measures: ["minimum", "maximum", "airLevel", "median"],
        thresholds: ["expectedLow": expectedRange.lowerBound, "expectedHigh": expectedRange.upperBound,
                     "errorLow": errorRange.lowerBound, "errorHigh": errorRange.upperBound, "rawPixelAir": rawPixelAir,
                     "rawPixelAirTolerance": rawPixelAirTolerance, "rawPixelMedianAbove": rawPixelMedianAbove])

    public init() {}

    /// The histogram the air level and median are read from: 0.001-wide bins over 0…2 (0.25 = −1000
    /// HU, 1.25 = 3000 HU; raw pixels stay below 2 as well).
    public static func histogram(_ ct: [Float]) -> ValueHistogram { ValueHistogram(ct, range: 0...2, bins: 2000) }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let ct = facts.ct, let low = facts.arrays["ct"]?.values.minimum, let high = facts.arrays["ct"]?.values.maximum else { return [] }
        let histogram = Self.histogram(ct)
        let air = histogram.percentile(Self.airPercentile), median = histogram.percentile(50)
        let measured: [String: Measured] = ["minimum": .number(rounded(low)), "maximum": .number(rounded(high)),
                                            "airLevel": .number(rounded(air)), "median": .number(rounded(median))]
        if abs(air - limits["rawPixelAir"]) <= limits["rawPixelAirTolerance"] && median > limits["rawPixelMedianAbove"] {
            return [finding(.error, "air sits at \(text(air, 3)) and soft tissue near \(text(median, 3)): raw pixel values (HU + 1024), not HU/4000+0.5 (air would be 0.25)", measured)]
        }
        if !(low >= limits["errorLow"] && high <= limits["errorHigh"]) {
            return [finding(.error, "CT values span \(text(low, 3))…\(text(high, 3)), outside [\(limits["errorLow"]), \(limits["errorHigh"])]", measured)]
        }
        // A float32 rounding step beyond the documented bounds is not a deviation.
        if low < limits["expectedLow"] - 1e-4 || high > limits["expectedHigh"] + 1e-4 {
            return [finding(.warning, "CT values span \(text(low, 4))…\(text(high, 4)), outside [\(limits["expectedLow"]), \(limits["expectedHigh"])]", measured)]
        }
        return []
    }
}

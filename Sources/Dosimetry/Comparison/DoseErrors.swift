/// Mean absolute dose errors in Gy (spec, dosimetry.md "Dose error").
public struct DoseErrors: Sendable, Hashable, Codable {
    /// Over every voxel of the volume: the historic `mae_gy` (it depends on the crop size).
    public let overallGy: Double?
    /// Over the body: reference > 1 % of 70 Gy.
    public let bodyGy: Double?
    /// Over voxels at or above 10 / 50 / 90 % of the reference maximum.
    public let atLeast10PercentGy: Double?
    public let atLeast50PercentGy: Double?
    public let atLeast90PercentGy: Double?

    /// The body threshold: 1 % of the 70 Gy every consumer scales by.
    public static let bodyThresholdGy = 0.7

    public init(referenceGy: [Float], predictionGy: [Float]) {
        let maximum = referenceGy.max() ?? 0
        // Thresholds compare in float32, as NumPy compares a float32 array with a number.
        let body = Float(Self.bodyThresholdGy)
        func aboveFraction(_ fraction: Float) -> Double? {
            let threshold = fraction * maximum
            return Self.meanAbsoluteError(referenceGy, predictionGy, where: { referenceGy[$0] >= threshold })
        }
        overallGy = Self.meanAbsoluteError(referenceGy, predictionGy, where: { _ in true })
        bodyGy = Self.meanAbsoluteError(referenceGy, predictionGy, where: { referenceGy[$0] > body })
        atLeast10PercentGy = aboveFraction(0.1)
        atLeast50PercentGy = aboveFraction(0.5)
        atLeast90PercentGy = aboveFraction(0.9)
    }

    /// Mean |prediction − reference| over the voxels `include` accepts; nil when it accepts none.
    /// The difference is taken in float32 (NumPy's `pred - ref`), the sum in float64.
    static func meanAbsoluteError(_ referenceGy: [Float], _ predictionGy: [Float], where include: (Int) -> Bool) -> Double? {
        var sum = 0.0, count = 0
        for index in 0..<min(referenceGy.count, predictionGy.count) where include(index) {
            sum += Double(abs(predictionGy[index] - referenceGy[index]))
            count += 1
        }
        return count == 0 ? nil : sum / Double(count)
    }
}

import DoseCase
import Dosimetry
import Foundation

/// How good a model is, in a physicist's terms, from the evaluation of its test predictions: the
/// bar a model must clear before anyone should look further (issue 31's "learning the right
/// thing"): mean |PTV70 D95 error| ≤ 5 Gy, mean PTV-region gamma ≥ 80 %, and every prediction
/// covering 95 % of PTV70 with 95 % of its dose (V95 ≥ 95 %, the published protocol's coverage
/// constraint). The full acceptance protocol is stricter and is reported beside it.
public struct ModelVerdict: Sendable, Equatable {
    public static let maximumD95ErrorGy = 5.0, minimumPTVGammaPercent = 80.0, minimumV95Percent = 95.0

    public let cases: Int
    public let meanAbsoluteD95ErrorGy: Double?
    public let meanPTVGammaPercent: Double?
    public let v95Covered: Int
    public let predictionsPassing: Int, referencesPassing: Int

    public init(_ record: EvaluationRecord) {
        let aggregate = record.identity.aggregate
        cases = aggregate.cases
        (meanAbsoluteD95ErrorGy, meanPTVGammaPercent) = (aggregate.ptv70D95AbsoluteErrorGy.mean, aggregate.gammaPTVRegionPassRate.mean)
        v95Covered = record.identity.cases.filter {
            ($0.dvh[StructureChannel.ptv70]?[DVHMetric.v95.rawValue]?.prediction ?? 0) >= Self.minimumV95Percent
        }.count
        (predictionsPassing, referencesPassing) = (aggregate.predictionsPassed, aggregate.referencesPassed)
    }

    /// What falls short of the bar, in words; empty when the model clears it.
    public var shortfalls: [String] {
        var missing: [String] = []
        if (meanAbsoluteD95ErrorGy ?? .infinity) > Self.maximumD95ErrorGy { missing.append("PTV70 D95 error above \(Self.maximumD95ErrorGy) Gy") }
        if (meanPTVGammaPercent ?? 0) < Self.minimumPTVGammaPercent { missing.append("PTV-region gamma below \(Self.minimumPTVGammaPercent) %") }
        if v95Covered < cases || cases == 0 { missing.append("PTV70 V95 below 95 % in \(cases - v95Covered) of \(cases) predictions") }
        return missing
    }

    public var text: String {
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "n/a" }
        let verdict = shortfalls.isEmpty
            ? "learning the right thing: it clears the bar (|PTV70 D95 error| ≤ 5 Gy, PTV-region γ ≥ 80 %, PTV70 V95 ≥ 95 % in every case)"
            : "not there yet: " + shortfalls.joined(separator: "; ")
        return """
            the model on \(cases) test cases: mean |PTV70 D95 error| \(number(meanAbsoluteD95ErrorGy, "%.2f")) Gy, \
            PTV-region γ \(number(meanPTVGammaPercent, "%.1f")) %, PTV70 V95 ≥ 95 % in \(v95Covered)/\(cases); \
            every acceptance constraint met by \(predictionsPassing)/\(cases) predictions (the plans themselves: \(referencesPassing)/\(cases))
            verdict: \(verdict)

            """
    }
}

import Foundation

/// Round tick values for an axis or a colour bar: steps of 1, 2, 2.5 or 5 × 10^k, so a reader can
/// interpolate by eye, and a range widened to whole steps.
public struct ChartTicks: Sendable, Equatable {
    /// First and last tick: the data range widened to whole steps.
    public let lower: Double
    public let upper: Double
    public let step: Double

    /// About `count` intervals covering `minimum…maximum`; an empty or degenerate range is widened
    /// around its value so an axis still has ticks.
    public init(covering minimum: Double, _ maximum: Double, count: Int = 5) {
        var (low, high) = (min(minimum, maximum), max(minimum, maximum))
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let rough = (high - low) / Double(max(1, count))
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough * 0.999 } ?? 10 * magnitude
        self.step = step
        // 0.07 / 0.01 is 7.000000000000001 in binary: without the tolerance a range that already ends on
        // a step would gain an empty interval.
        lower = (low / step + 1e-9).rounded(.down) * step
        upper = (high / step - 1e-9).rounded(.up) * step
    }

    /// Fixed ends (e.g. 0–100 %), ticks at round steps inside them.
    public init(from lower: Double, to upper: Double, count: Int = 5) {
        let covering = ChartTicks(covering: lower, upper, count: count)
        (self.lower, self.upper, step) = (lower, upper, covering.step)
    }

    /// The tick values from `lower` to `upper` (inclusive), computed by index so no rounding drift accumulates.
    public var values: [Double] {
        let first = (lower / step - 1e-9).rounded(.up)
        let last = (upper / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { index in
            let value = index * step
            return abs(value) < step * 1e-9 ? 0 : value
        }
    }

    /// A tick's label with as many decimals as the step needs (0.25 → two, 5 → none).
    public func label(_ value: Double) -> String {
        var decimals = 0
        var scaled = step
        while decimals < 6, abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
            scaled *= 10
            decimals += 1
        }
        return String(format: "%.\(decimals)f", value)
    }
}

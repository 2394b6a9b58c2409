import Foundation

/// The learning rate of every step: an optional linear warm-up, then cosine annealing (PyTorch's
/// `CosineAnnealingLR`, closed form). Over the first W steps lr(t) = base·(t + 1)/W; after them
/// lr(t) = minimum + (base − minimum)·(1 + cos(π·(t − W)/(T − W)))/2. Like PyTorch's, the cosine
/// rises again after T (a period of 2(T − W)); a run that schedules over all its steps never gets
/// there. Warm-up keeps the first steps of a high learning rate from throwing the freshly
/// initialised network far off before AdamW's moment estimates settle.
public struct CosineSchedule: Sendable, Equatable, Codable {
    public let base: Double, minimum: Double, totalSteps: Int, warmupSteps: Int

    public init(base: Double, totalSteps: Int, minimum: Double = 0, warmupSteps: Int = 0) throws {
        guard base >= minimum, minimum >= 0, totalSteps >= 1, warmupSteps >= 0 else {
            throw EngineError.invalidSetting(name: "cosine schedule", expected: "base ≥ minimum ≥ 0, at least one step, warm-up ≥ 0",
                                             found: "base \(base), minimum \(minimum), \(totalSteps) steps, warm-up \(warmupSteps)")
        }
        (self.base, self.minimum, self.totalSteps, self.warmupSteps) = (base, minimum, totalSteps, warmupSteps)
    }

    public func learningRate(atStep step: Int) -> Double {
        let t = max(step, 0)
        if t < warmupSteps { return base * Double(t + 1) / Double(warmupSteps) }
        let annealed = Double(t - warmupSteps), span = Double(max(1, totalSteps - warmupSteps))
        return minimum + (base - minimum) * (1 + cos(Double.pi * annealed / span)) / 2
    }
}

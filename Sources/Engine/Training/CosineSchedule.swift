import Foundation

/// Cosine annealing of the learning rate (PyTorch's `CosineAnnealingLR`, closed form):
/// lr(t) = minimum + (base − minimum)·(1 + cos(π·t/T))/2. Like PyTorch's, it rises again after
/// T (a period of 2T); a run that schedules over all its steps never gets there.
public struct CosineSchedule: Sendable, Equatable, Codable {
    public let base: Double, minimum: Double, totalSteps: Int

    public init(base: Double, totalSteps: Int, minimum: Double = 0) throws {
        guard base >= minimum, minimum >= 0, totalSteps >= 1 else {
            throw EngineError.invalidSetting(name: "cosine schedule", expected: "base ≥ minimum ≥ 0 and at least one step",
                                             found: "base \(base), minimum \(minimum), \(totalSteps) steps")
        }
        (self.base, self.minimum, self.totalSteps) = (base, minimum, totalSteps)
    }

    public func learningRate(atStep step: Int) -> Double {
        let t = Double(max(step, 0))
        return minimum + (base - minimum) * (1 + cos(Double.pi * t / Double(totalSteps))) / 2
    }
}

import Foundation

/// Four decimals: enough for every threshold the checks compare against (measured values).
func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

/// A number for a message, with `digits` decimals.
func text(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

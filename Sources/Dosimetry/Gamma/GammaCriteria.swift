import Support

/// The settings of a gamma comparison (spec, dosimetry.md "Gamma index"). The defaults are the
/// historic ones: 3 %/3 mm global, 10 % lower cutoff of the reference maximum, max_gamma 2,
/// interpolation step DTA/10 — pymedphys 0.41's `gamma(...)` with `interp_fraction=10`.
public struct GammaCriteria: Sendable, Hashable, Codable {
    public enum Normalisation: String, Sendable, Hashable, Codable, CaseIterable {
        /// ΔD is a percentage of the reference maximum.
        case global
        /// ΔD is a percentage of the reference dose at each point.
        case local
    }

    public var dosePercent: Double
    public var distanceMM: Double
    public var lowerDoseCutoffPercent: Double
    public var maxGamma: Double
    /// The search steps by `distanceMM / interpolationFraction`.
    public var interpolationFraction: Double
    public var normalisation: Normalisation

    public init(dosePercent: Double = 3, distanceMM: Double = 3, lowerDoseCutoffPercent: Double = 10,
                maxGamma: Double = 2, interpolationFraction: Double = 10, normalisation: Normalisation = .global) {
        self.dosePercent = dosePercent
        self.distanceMM = distanceMM
        self.lowerDoseCutoffPercent = lowerDoseCutoffPercent
        self.maxGamma = maxGamma
        self.interpolationFraction = interpolationFraction
        self.normalisation = normalisation
    }

    public static let historic = GammaCriteria()

    /// Refuses settings for which the search is undefined or would not end.
    public func validated() throws -> GammaCriteria {
        func check(_ value: Double, _ name: String, _ expected: String, _ valid: Bool) throws {
            guard valid else { throw GammaError.invalidCriteria(setting: name, expected: expected, found: "\(value)") }
        }
        try check(dosePercent, "dose percent", "a positive finite number", dosePercent > 0 && dosePercent.isFinite)
        try check(distanceMM, "distance (mm)", "a positive finite number", distanceMM > 0 && distanceMM.isFinite)
        try check(lowerDoseCutoffPercent, "lower dose cutoff (%)", "a number in [0, 100]", (0...100).contains(lowerDoseCutoffPercent))
        try check(maxGamma, "max gamma", "a positive finite number up to 10", maxGamma > 0 && maxGamma <= 10)
        try check(interpolationFraction, "interpolation fraction", "a number in [1, 100]", (1...100).contains(interpolationFraction))
        return self
    }

    /// "3%/3mm global, cutoff 10%, max γ 2, step DTA/10".
    public var summary: String {
        "\(Self.format(dosePercent))%/\(Self.format(distanceMM))mm \(normalisation.rawValue), cutoff \(Self.format(lowerDoseCutoffPercent))%, "
            + "max γ \(Self.format(maxGamma)), step DTA/\(Self.format(interpolationFraction))"
    }

    /// A setting as people write it: `3`, not `3.0`; `2.5` as is.
    public static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

public enum GammaError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidCriteria(setting: String, expected: String, found: String)
    case gridMismatch(reference: String, evaluation: String)
    case invalidSpacing(found: [Double])
    case invalidSubsample(found: Int)

    public var description: String {
        switch self {
        case let .invalidCriteria(setting, expected, found):
            return "gamma \(setting): expected \(expected), found \(found)"
        case let .gridMismatch(reference, evaluation):
            return "gamma needs the evaluated dose on the reference grid: reference \(reference), evaluation \(evaluation)"
        case let .invalidSpacing(found):
            return "gamma needs three positive finite voxel spacings in mm, found \(found)"
        case let .invalidSubsample(found):
            return "gamma subsample: expected a whole number ≥ 1, found \(found)"
        }
    }
}

extension GammaError: CodedError {
    public var code: String {
        switch self {
        case .invalidCriteria: "gamma.invalid_criteria"
        case .gridMismatch: "gamma.grid_mismatch"
        case .invalidSpacing: "gamma.invalid_spacing"
        case .invalidSubsample: "gamma.invalid_subsample"
        }
    }
}

/// How a CT volume's numbers relate to Hounsfield units, so a window in HU can be applied to it.
public enum CTUnits: Sendable, Hashable {
    /// The processed case format's `ct`: `clip(HU, −1000, 3000) / 4000 + 0.5` (spec
    /// npz-case-format.md, "Keys"). A v2.2 case whose CT was never rescaled (raw stored pixels)
    /// reads about 1024 HU too bright, which the picture then shows.
    case pipeline
    /// Values already in HU.
    case hounsfield

    public func hounsfield(_ value: Float) -> Double {
        switch self {
        case .pipeline: (Double(value) - 0.5) * 4000
        case .hounsfield: Double(value)
        }
    }
}

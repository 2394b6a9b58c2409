/// A figure's size in px (the SVG user unit, a CSS pixel).
public struct ChartSize: Sendable, Equatable {
    public var width: Double
    public var height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// One panel: wide enough for 60 case ids, small enough to sit two abreast in a report.
    public static let panel = ChartSize(width: 640, height: 400)
}

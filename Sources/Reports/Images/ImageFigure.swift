/// A finished slice figure, as SVG (vector text, colour bar, each panel embedded as a PNG `data:`
/// URI) and as one PNG of the same size holding the panels at the same positions, without the
/// text and colour bar.
public struct ImageFigure: Sendable {
    /// Root `<svg>`; serialise with `MarkupDocument.svg(_:)`.
    public let svg: MarkupElement
    public let png: [UInt8]
    /// Size of both, in pixels (the SVG's user units).
    public let width: Int
    public let height: Int
}

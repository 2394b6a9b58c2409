/// One plane of a volume resampled for display: `width × height` values, rows top to bottom,
/// each row left to right, oriented as `SlicePlane` says, on square pixels.
public struct DisplaySlice<Element: Sendable>: Sendable {
    public let width: Int
    public let height: Int
    public let values: [Element]

    public subscript(x x: Int, y y: Int) -> Element { values[y * width + x] }
}

extension DisplaySlice {
    /// The same pixels with `transform` applied to each value.
    public func map<Result: Sendable>(_ transform: (Element) -> Result) -> DisplaySlice<Result> {
        DisplaySlice<Result>(width: width, height: height, values: values.map(transform))
    }
}

extension DisplaySlice where Element == Float {
    /// The values where `shown` holds, NaN elsewhere (an overlay's "draw nothing").
    public func masked(_ shown: (Float) -> Bool) -> DisplaySlice<Float> { map { shown($0) ? $0 : .nan } }
}

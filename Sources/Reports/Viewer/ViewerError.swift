import Support

/// Why a case viewer page could not be made. `code` is stable for tests and logs.
public enum ViewerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The case has none of CT, dose and masks to draw (or none could be read).
    case nothingToShow(file: String)
    /// A sheet that the parallel encoding did not deliver (a bug, reported rather than trapped on).
    case sheetMissing(layer: String, sheet: Int)

    public var code: String {
        switch self {
        case .nothingToShow: "viewer.nothing_to_show"
        case .sheetMissing: "viewer.sheet_missing"
        }
    }

    public var description: String {
        switch self {
        case let .nothingToShow(file): "\(file): no CT, dose or masks that could be read, so there is nothing to draw"
        case let .sheetMissing(layer, sheet): "sheet \(sheet) of the \(layer) layer was not encoded"
        }
    }
}

extension ViewerError: CodedError {}

import Support

/// Why a report could not be rendered.
public enum ReportError: Error, Sendable, CustomStringConvertible {
    case xml(String)
    /// An SVG or HTML file (`file` names it) that could not be built or does not parse.
    case markup(file: String, reason: String)

    public var description: String {
        switch self {
        case let .xml(reason): "JUnit XML: \(reason)"
        case let .markup(file, reason): "\(file): \(reason)"
        }
    }
}

extension ReportError: CodedError {
    public var code: String {
        switch self {
        case .xml: "report.xml"
        case .markup: "report.markup"
        }
    }
}

import Support

/// Why `view` could not write a page (the CLI's exit 2). `code` is stable for tests and logs.
public enum ViewError: Error, Sendable, CustomStringConvertible {
    case missingCase(file: String)
    /// The file is there but is not a case that opens (not a ZIP, no readable metadata, …).
    case unreadableCase(file: String, cause: any Error)
    /// The page's folder does not exist (checked before the case is read, which takes seconds).
    case missingOutputFolder(page: String)

    public var code: String {
        switch self {
        case .missingCase: "view.missing_case"
        case .unreadableCase: "view.unreadable_case"
        case .missingOutputFolder: "view.missing_output_folder"
        }
    }

    public var cause: (any Error)? {
        if case let .unreadableCase(_, cause) = self { return cause }
        return nil
    }

    public var description: String {
        switch self {
        case let .missingCase(file): "\(file): no such file"
        case let .unreadableCase(file, cause): "\(file): cannot be read as a case: \(cause)"
        case let .missingOutputFolder(page): "\(page): its folder does not exist"
        }
    }
}

extension ViewError: CodedError {}

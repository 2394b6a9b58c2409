import Support
import Foundation
import Reports

/// Writes a report's folder — `index.html` and `figures/*.svg|png` — so a reader never sees half of
/// one: everything goes to a fresh sibling folder first, which then replaces the old report in one
/// rename (the old one is removed after). Figures a previous report had and this one does not
/// (an `--all-cases` run before a plain one) do not linger.
enum ReportFolder {
    /// Every file written, relative to `directory`.
    static func write(_ page: ReportPage, to directory: String) throws -> [String] {
        let manager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).writing-\(getpid())")
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
            try? manager.removeItem(at: staging)
            try manager.createDirectory(at: staging.appendingPathComponent("figures"), withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(path: staging.path, cause: error)
        }
        var written: [String] = []
        do {
            var seen: Set<String> = []
            for figure in page.figures {
                guard seen.insert(figure.name).inserted else { continue }
                let svg = try MarkupDocument.svg(figure.svg)
                try MarkupDocument.checkWellFormed(svg, name: figure.svgFile)
                try Data(svg).write(to: staging.appendingPathComponent(figure.svgFile))
                written.append(figure.svgFile)
                if let png = figure.png, let file = figure.pngFile {
                    try Data(png).write(to: staging.appendingPathComponent(file))
                    written.append(file)
                }
            }
            let html = try page.html()
            try MarkupDocument.checkWellFormed(html, name: "index.html")
            try Data(html).write(to: staging.appendingPathComponent("index.html"))
            written.append("index.html")
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
        do {
            if manager.fileExists(atPath: target.path) {
                let retired = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(getpid())")
                try? manager.removeItem(at: retired)
                try manager.moveItem(at: target, to: retired)
                try manager.moveItem(at: staging, to: target)
                try? manager.removeItem(at: retired)
            } else {
                try manager.moveItem(at: staging, to: target)
            }
        } catch {
            throw ReportWriteError(path: target.path, cause: error)
        }
        return written
    }
}

/// A report folder that could not be written.
public struct ReportWriteError: CodedError, Sendable {
    public let path: String
    public let cause: ErrorCause?

    init(path: String, cause: any Error) {
        self.path = path
        self.cause = ErrorCause(cause)
    }

    public var code: String { "report.unwritable" }
    public var description: String { "cannot write the report \(path): \(cause?.description ?? "unknown")" }
}

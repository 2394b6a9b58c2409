import Foundation

/// A run's `metrics.csv` read back: one row per finished epoch, columns by header name (the
/// built-in engine's `EpochSummary.csvHeader`, the same columns `dosecurate_torch.log_metrics`
/// writes; an external engine may add its own). Empty cells are missing values, not zeros.
public struct RunMetrics: Sendable, Equatable {
    public let columns: [String]
    /// Per row, each column's number; nil where the cell is empty or not a number.
    public let rows: [[Double?]]

    /// Parses the CSV text; `path` is said in errors. Rows with a cell count other than the
    /// header's are refused: a half-written last line means the file is being written.
    public init(csv text: String, path: String) throws {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard let header = lines.first else { throw LineageError.invalidRecord(path: path, reason: "empty metrics file (no header line)") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        columns = names
        rows = try lines.dropFirst().enumerated().map { index, line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == names.count else {
                throw LineageError.invalidRecord(path: path, reason: "line \(index + 2) has \(cells.count) cells, the header \(names.count)")
            }
            return cells.map { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
    }

    /// Reads `runs/<id>/metrics.csv`; nil when the run wrote none.
    public static func read(runId: String, in workspace: Workspace) throws -> RunMetrics? {
        let name = "\(RunFiles.directory(runId))/metrics.csv"
        guard workspace.exists(name) else { return nil }
        let bytes = try workspace.read(name)
        return try RunMetrics(csv: String(decoding: bytes, as: UTF8.self), path: workspace.file(name))
    }

    /// A column's values per row (nil where missing); nil when there is no such column.
    public func column(_ name: String) -> [Double?]? {
        columns.firstIndex(of: name).map { index in rows.map { $0[index] } }
    }

    /// (epoch, value) for the rows where both are present.
    public func series(_ name: String, against axis: String = "epoch") -> [(x: Double, y: Double)] {
        guard let xs = column(axis), let ys = column(name) else { return [] }
        return zip(xs, ys).compactMap { x, y in x.flatMap { x in y.map { (x, $0) } } }
    }

    /// The epoch marked best (`best` = 1); the last such row when several are (an engine marks
    /// each new best as it goes).
    public var bestEpoch: Double? {
        guard let best = column("best"), let epochs = column("epoch") else { return nil }
        return Array(zip(epochs, best)).last { $0.1 == 1 }?.0 ?? nil
    }
}

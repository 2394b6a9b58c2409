/// The acceptance table as colour: a row per case, a column per constraint, each cell pass, fail or
/// not evaluated. Colour is never the only cue: pass is a light Okabe–Ito blue, fail a light
/// vermillion with a vermillion border and bold text, not evaluated grey with a dash, and every
/// cell writes its value with the unit ("45.1 %", "68.2 Gy").
///
/// Data in the SVG: each cell is a `rect class="cell"` with `data-row`, `data-column`,
/// `data-state` (`pass`, `fail`, `not-evaluated`) and `data-value` (Swift's shortest round-trip
/// text; absent when the cell has no value).
public struct HeatMap: ChartFigure {
    public enum State: String, Sendable, Equatable, CaseIterable {
        case pass
        case fail
        case notEvaluated = "not-evaluated"

        /// How the legend and hover titles name the state.
        public var label: String { self == .notEvaluated ? "not evaluated" : rawValue }

        var fill: String {
            switch self {
            case .pass: ChartPalette.tint(ChartPalette.blue, 0.3)
            case .fail: ChartPalette.tint(ChartPalette.vermillion, 0.35)
            case .notEvaluated: ChartPalette.notEvaluated
            }
        }
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        /// Written after each value: "Gy", "%".
        public var unit: String
        public var decimals: Int

        public init(name: String, unit: String, decimals: Int = 1) {
            self.name = name
            self.unit = unit
            self.decimals = decimals
        }
    }

    public struct Cell: Sendable, Equatable {
        public var state: State
        public var value: Double?

        public init(state: State, value: Double?) {
            self.state = state
            self.value = value
        }

        public static let notEvaluated = Cell(state: .notEvaluated, value: nil)
    }

    public var title: String
    public var rows: [String]
    public var columns: [Column]
    /// Row-major, `cells[row][column]`; a missing cell is not evaluated.
    public var cells: [[Cell]]
    public var cellSize: ChartSize

    public init(
        title: String, rows: [String], columns: [Column], cells: [[Cell]],
        cellSize: ChartSize = ChartSize(width: 76, height: 18)
    ) {
        self.title = title
        self.rows = rows
        self.columns = columns
        self.cells = cells
        self.cellSize = cellSize
    }

    private var legend: ChartLegend {
        ChartLegend(State.allCases.map { ChartLegend.Entry($0.label, colour: $0.fill, symbol: .swatch) })
    }

    private var rowLabelWidth: Double { (rows.map { ChartMarks.textWidth($0) }.max() ?? 0) + 12 }

    /// Column names stand level when they fit a cell, else turn 45°.
    private var columnsTurn: Bool { (columns.map { ChartMarks.textWidth($0.name) }.max() ?? 0) + 6 > cellSize.width }

    private var columnLabelDepth: Double {
        let widest = columns.map { ChartMarks.textWidth($0.name) }.max() ?? 0
        return columnsTurn ? widest * 0.71 + 10 : ChartMarks.fontSize + 8
    }

    /// Room on the right for the last turned column name.
    private var rightMargin: Double {
        guard columnsTurn, let last = columns.last else { return 16 }
        return max(16, ChartMarks.textWidth(last.name) * 0.71 - cellSize.width / 2 + 8)
    }

    private var gridWidth: Double { Double(columns.count) * cellSize.width }

    /// Follows from the cell size and the labels; at least wide enough for the legend on one line.
    public var size: ChartSize {
        let width = max(
            rowLabelWidth + gridWidth + rightMargin, 10 + ChartMarks.textWidth(title, size: ChartMarks.titleSize) + 10,
            320)
        let header = ChartHeader(title: title, legend: legend, width: width)
        return ChartSize(
            width: width, height: header.height + columnLabelDepth + Double(rows.count) * cellSize.height + 10)
    }

    private func cell(_ row: Int, _ column: Int) -> Cell {
        row < cells.count && column < cells[row].count ? cells[row][column] : .notEvaluated
    }

    public func svg() -> MarkupElement {
        let size = self.size
        let header = ChartHeader(title: title, legend: legend, width: size.width)
        let left = rowLabelWidth
        let top = header.height + columnLabelDepth
        var marks: [MarkupElement] = []
        for (index, column) in columns.enumerated() {
            let x = left + (Double(index) + 0.5) * cellSize.width
            marks.append(
                columnsTurn
                    ? ChartMarks.text(column.name, x: x - 4, y: top - 6, rotate: -45)
                    : ChartMarks.text(column.name, x: x, y: top - 6, anchor: "middle"))
        }
        for (rowIndex, row) in rows.enumerated() {
            let y = top + Double(rowIndex) * cellSize.height
            marks.append(ChartMarks.text(row, x: left - 6, y: y + cellSize.height / 2 + 4, anchor: "end"))
            for (columnIndex, column) in columns.enumerated() {
                marks.append(
                    cellMark(
                        cell(rowIndex, columnIndex), row: row, column: column,
                        at: ChartRect(
                            x: left + Double(columnIndex) * cellSize.width, y: y, width: cellSize.width,
                            height: cellSize.height)))
            }
        }
        return ChartMarks.root(size, title: title, header.elements + marks)
    }

    private func cellMark(_ cell: Cell, row: String, column: Column, at rect: ChartRect) -> MarkupElement {
        let value = ChartMarks.drawable(cell.value)
        let text =
            value.map { ChartMarks.quantity($0, unit: column.unit, decimals: column.decimals) }
            ?? (cell.state == .notEvaluated ? "–" : cell.state.rawValue)
        let failed = cell.state == .fail
        var data = [
            ("class", "cell"), ("data-row", row), ("data-column", column.name), ("data-state", cell.state.rawValue),
        ]
        if let value { data.append(("data-value", ChartMarks.exact(value))) }
        // Inset by half the border so a failed cell's frame stays inside its own cell.
        let inset = ChartRect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 2)
        let border =
            failed
            ? [("stroke", ChartPalette.vermillion), ("stroke-width", "1.5")]
            : [("stroke", "#FFFFFF"), ("stroke-width", "1")]
        return MarkupElement(
            "g", [],
            [
                ChartMarks.rect(
                    inset, fill: cell.state.fill, extra: data + border,
                    children: [ChartMarks.tooltip("\(row) · \(column.name): \(text) (\(cell.state.label))")]),
                ChartMarks.text(text, x: rect.midX, y: rect.midY + 4, anchor: "middle", bold: failed),
            ])
    }
}

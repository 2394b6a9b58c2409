import Support

/// One case as a self-contained HTML viewer (`dosecurate view`): axial, coronal and sagittal slices
/// stepped with keys or a slider, each structure's contour and the dose colourwash toggled, with
/// the case's metadata and audit findings beside them. The page opens offline: its script, style
/// and data are inline, the volumes are greyscale PNG data URIs (`ViewerLayer`), and the script
/// draws every plane from them on a canvas (docs/viewer.md describes the embedded data).
public enum CaseViewer {
    /// `data-format` of the page's data block: bumped when the layout the script reads changes.
    public static let dataFormat = "dosecurate/case-viewer/1"
    /// The longest image side on screen, in CSS pixels; every plane shares one mm-to-pixel scale.
    public static let displayPixels = 640

    public static func page(_ input: CaseViewerInput) throws -> CaseViewerPage {
        let drawing = input.drawing, grid = drawing.grid
        let data: [String: JSONValue] = [
            "format": .string(dataFormat),
            "caseId": .string(input.caseId),
            "grid": .object([
                "shape": integers(grid.shape.dimensions), "spacingMM": numbers(grid.spacingMM),
                "caseShape": integers(grid.caseShape.dimensions), "caseSpacingMM": numbers(grid.caseSpacingMM), "factors": integers(grid.factors),
            ]),
            "start": integers(drawing.start),
            "sheets": .object(["slicesPerSheet": .int(Int64(drawing.layout.slicesPerSheet)), "columns": .int(Int64(drawing.layout.columns))]),
            "layers": .object(Dictionary(uniqueKeysWithValues: drawing.layers.map { layer in
                (layer.name, JSONValue.object([
                    "checksum": .int(Int64(layer.checksum)), "sheets": .int(Int64(drawing.layout.sheetCount(slices: grid.shape.slices))),
                ]))
            })),
            "structures": .array(drawing.structures.map(\.json)),
            "display": .object(["pixels": .int(Int64(displayPixels))]),
            "ct": drawing.ctWindow.map { .object(["layer": .string("ct"), "windowHU": numbers([$0.lower, $0.upper])]) } ?? .null,
            "dose": drawing.doseScale.map { scale in
                .object([
                    "layer": .string("dose"), "topGy": .number(scale.upper), "thresholdGy": .number(scale.lower),
                    "opacity": .number(SlicePanel.overlayOpacity),
                    "colours": .array(CaseViewerDrawing.doseColours(scale).map { $0.map(JSONValue.string) ?? .null }),
                ])
            } ?? .null,
        ]
        let notes = input.notes + [resolutionNote(grid)]
        let html = try ViewerPageLayout(input: input, notes: notes, data: embeddable(JSONValue.object(data).canonicalText)).html()
        return CaseViewerPage(html: html, grid: grid, notes: notes)
    }

    private static func resolutionNote(_ grid: ViewerGrid) -> String {
        let shown = "\(grid.shape) voxels at \(millimetres(grid.spacingMM)) mm"
        guard grid.isDownsampled else { return "Shown at the case's full resolution: \(shown)." }
        return "Downsampled for this page from \(grid.caseShape) at \(millimetres(grid.caseSpacingMM)) mm to \(shown): each shown voxel "
            + "averages \(grid.factors.map(String.init).joined(separator: "×")) case voxels (CT, dose); a structure holds it when it "
            + "holds at least half of them."
    }

    static func millimetres(_ values: [Double]) -> String { values.map { MarkupNumber.format($0, decimals: 3) }.joined(separator: "×") }

    private static func integers(_ values: [Int]) -> JSONValue { .array(values.map { .int(Int64($0)) }) }
    private static func numbers(_ values: [Double]) -> JSONValue { .array(values.map(JSONValue.number)) }

    /// JSON text that an HTML `<script>` holds as it is: `<`, `>` and `&` (only ever inside strings)
    /// as `\u003c`, `\u003e`, `\u0026`, so no metadata text can end the element.
    static func embeddable(_ json: String) -> String {
        var text = ""
        text.reserveCapacity(json.utf8.count)
        for character in json.unicodeScalars {
            switch character {
            case "<": text += "\\u003c"
            case ">": text += "\\u003e"
            case "&": text += "\\u0026"
            default: text.unicodeScalars.append(character)
            }
        }
        return text
    }
}

/// A viewer page and the facts a caller reports.
public struct CaseViewerPage: Sendable {
    public let html: [UInt8]
    public let grid: ViewerGrid
    /// What the page says under its title (unread arrays, the resolution shown).
    public let notes: [String]
}

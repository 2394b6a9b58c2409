import Audit
import Foundation

/// The viewer page's HTML: the title and notes, the image with its controls, the side panel
/// (structures, dose, audit findings, metadata), the data block, the sheets and the script.
/// Everything a reader needs without the script (findings, metadata, structure volumes) is plain
/// HTML; the script only draws.
struct ViewerPageLayout {
    /// One PNG sheet of a layer (`ViewerLayer.sheet`).
    struct Sheet: Sendable {
        let layer: String
        let index: Int
        let png: [UInt8]
    }

    let input: CaseViewerInput
    let notes: [String]
    /// The data block's JSON text, already safe inside `<script>` (`CaseViewer.embeddable`).
    let data: String

    private var grid: ViewerGrid { input.drawing.grid }
    private var structures: [ViewerStructure] { input.drawing.structures }

    func html() throws -> [UInt8] {
        let title = "\(input.caseId) — dosecurate view"
        // libxml2's XHTML output adds the UTF-8 Content-Type <meta> itself.
        let head = MarkupElement("head", [], [
            MarkupElement("title", text: title),
            MarkupElement("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
            MarkupElement("style", text: ViewerStyle.css),
        ])
        var body = MarkupElement("body", [], [header(), MarkupElement("div", [("class", "viewer")], [imagePanel(), sidePanel()])])
        body.append(MarkupElement("script", [("type", "application/json"), ("id", "viewer-data"), ("data-format", CaseViewer.dataFormat)],
                                  text: data))
        body.append(MarkupElement("div", [("id", "sheets"), ("hidden", "hidden")], input.drawing.sheets.map { sheet in
            MarkupElement("img", [
                ("data-layer", sheet.layer), ("data-sheet", String(sheet.index)), ("alt", ""),
                ("src", "data:image/png;base64," + Data(sheet.png).base64EncodedString()),
            ])
        }))
        body.append(.inlineScript(ViewerScript.source))
        body.append(MarkupElement("footer", text: "Written by dosecurate view from \(input.file). This page fetches nothing: "
            + "its script, style and images are inline. Keys and data layout: docs/viewer.md."))
        return try MarkupDocument.html(MarkupElement("html", [("lang", "en")], [head, body]))
    }

    private func header() -> MarkupElement {
        let version = input.formatVersion.map { " · format \($0)" } ?? ""
        let caseSpacing = input.drawing.spacing
        let spacing = "\(CaseViewer.millimetres(caseSpacing.millimetres)) mm" + (caseSpacing.isGuessed ? " (not stored: the format's fallback)" : "")
        var header = MarkupElement("header", [], [
            MarkupElement("h1", text: input.caseId),
            MarkupElement("p", [("class", "subtitle")], text: "\(input.file)\(version) · \(grid.caseShape) voxels at \(spacing)"),
        ])
        if !notes.isEmpty { header.append(MarkupElement("ul", [("class", "notes")], notes.map { MarkupElement("li", text: $0) })) }
        return header
    }

    private func imagePanel() -> MarkupElement {
        var planes = MarkupElement("fieldset", [("class", "planes")], [MarkupElement("legend", text: "Plane")])
        // The script's keys are the planes' first letters.
        for plane in SlicePlane.allCases {
            var radio = MarkupElement("input", [("type", "radio"), ("name", "plane"), ("value", plane.rawValue)])
            if plane == .axial { radio.setAttribute("checked", "checked") }
            planes.append(MarkupElement("label", [], [radio, MarkupElement("span", text: " \(plane.title) (\(plane.rawValue.prefix(1)))")]))
        }
        let slider = MarkupElement("label", [("class", "slider")], [
            MarkupElement("span", text: "Slice "),
            MarkupElement("input", [("type", "range"), ("id", "slice"), ("min", "0"), ("max", String(grid.shape.slices - 1)), ("value", "0")]),
        ])
        return MarkupElement("section", [("class", "image")], [
            MarkupElement("div", [("class", "controls")], [planes, slider]),
            MarkupElement("p", [("id", "position"), ("class", "position")], text: " "),
            MarkupElement("canvas", [("id", "view"), ("width", String(CaseViewer.displayPixels)), ("height", String(CaseViewer.displayPixels)),
                                     ("aria-label", "slice image")], text: ""),
            MarkupElement("p", [("id", "status"), ("class", "status")],
                          text: "The slices are drawn by this page's inline script: allow JavaScript for this file to see them."),
            MarkupElement("p", [("class", "keys")], text: "Keys: ↑ ↓ or ← → next / previous slice, Page Up / Page Down ten slices, "
                + "Home / End first / last, a c s axial / coronal / sagittal, d dose, 1–9 structure contours. "
                + "Click the image to move the other planes there; the mouse wheel steps slices. "
                + "Radiological view: patient left on the image's right."),
        ])
    }

    private func sidePanel() -> MarkupElement {
        MarkupElement("aside", [], [structurePanel(), dosePanel(), auditPanel(), metadataPanel()])
    }

    private func structurePanel() -> MarkupElement {
        guard !structures.isEmpty else { return section("Structures", [MarkupElement("p", text: "No masks in this case.")]) }
        let items = structures.enumerated().map { position, structure in
            var box = MarkupElement("input", [("type", "checkbox"), ("data-structure", String(position))])
            if structure.volumeCC > 0 { box.setAttribute("checked", "checked") } else { box.setAttribute("disabled", "disabled") }
            let volume = structure.volumeCC > 0 ? "\(MarkupNumber.format(structure.volumeCC, decimals: 1)) cc" : "empty"
            let key = position < 9 ? " (\(position + 1))" : ""
            return MarkupElement("li", [], [
                MarkupElement("label", [], [box, MarkupElement("span", [("class", "swatch"), ("style", "background: \(structure.colour)")], text: ""),
                                            MarkupElement("span", text: structure.name + key)]),
                MarkupElement("span", [("class", "volume")], text: volume),
            ])
        }
        return section("Structures", [MarkupElement("ul", [("class", "structures")], items)])
    }

    private func dosePanel() -> MarkupElement {
        guard let doseScale = input.drawing.doseScale else { return section("Dose", [MarkupElement("p", text: "No dose in this case.")]) }
        let bar = ColourBar(stops: doseScale.map.stops.map { (fraction: $0.fraction, hex: $0.hex) }, range: doseScale.lower...doseScale.upper,
                            label: doseScale.label, length: 200)
        return section("Dose", [
            MarkupElement("label", [], [MarkupElement("input", [("type", "checkbox"), ("id", "dose"), ("checked", "checked")]),
                                        MarkupElement("span", text: " colourwash (d)")]),
            MarkupElement("div", [("class", "colour-bar")], [bar.svg()]),
            MarkupElement("p", [("class", "caption")], text: "Dose × \(MarkupNumber.format(input.drawing.gyPerDoseUnit)) Gy, coloured above "
                + "\(MarkupNumber.format(doseScale.lower)) Gy (viridis to \(MarkupNumber.format(doseScale.upper)) Gy, 256 levels) at "
                + "\(Int(SlicePanel.overlayOpacity * 100)) % over the CT" + (input.drawing.ctWindow.map { window in
                    let (width, level) = (window.upper - window.lower, (window.upper + window.lower) / 2)
                    return " (window W \(MarkupNumber.format(width)) / L \(MarkupNumber.format(level)) HU)."
                } ?? ".")),
        ])
    }

    private func auditPanel() -> MarkupElement {
        guard let findings = input.findings else { return section("Audit", [MarkupElement("p", text: "Not audited.")]) }
        guard !findings.isEmpty else { return section("Audit", [MarkupElement("p", [("class", "clean")], text: "No findings: every check passed.")]) }
        let counts = Severity.allCases.reversed().compactMap { severity -> String? in
            let count = findings.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)" + (count == 1 ? "" : "s")
        }
        // Worst first; within a severity, by check id.
        let sorted = findings.sorted { ($0.severity, $1.check) > ($1.severity, $0.check) }
        let rows = sorted.map { finding in
            MarkupElement("tr", [("class", finding.severity.rawValue)], [
                MarkupElement("td", text: finding.severity.rawValue), MarkupElement("td", [], [MarkupElement("code", text: finding.check)]),
                MarkupElement("td", text: finding.message),
            ])
        }
        return section("Audit", [
            MarkupElement("p", text: counts.joined(separator: ", ") + "."),
            MarkupElement("table", [("class", "findings")], [
                MarkupElement("thead", [], [MarkupElement("tr", [], ["severity", "check", "finding"].map { MarkupElement("th", text: $0) })]),
                MarkupElement("tbody", [], rows),
            ]),
        ])
    }

    private func metadataPanel() -> MarkupElement {
        guard let metadata = input.metadata else { return section("Metadata", [MarkupElement("p", text: "No metadata in this case.")]) }
        return section("Metadata", [MetadataTree.element(metadata)])
    }

    private func section(_ title: String, _ content: [MarkupElement]) -> MarkupElement {
        MarkupElement("section", [], [MarkupElement("h2", text: title)] + content)
    }
}

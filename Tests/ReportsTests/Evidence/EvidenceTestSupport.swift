import Audit
import DoseCase
import Foundation
import Phantoms
import Reports
import SharedCohort
import XCTest

/// One planted defect's case: its audit (the shared cohort's), the facts the audit read, and its
/// evidence figures, each checked to serialise and parse strictly as it is made.
struct DefectEvidence {
    let audit: CaseAudit
    let facts: CaseFacts
    let figures: [EvidenceFigure]

    static func of(_ defect: PlantedDefect, file: StaticString = #filePath, line: UInt = #line) async throws -> DefectEvidence {
        let name = try XCTUnwrap(CohortFixture.files(for: defect).first, file: file, line: line)
        let audited = try await AuditedCohort.audit(of: name)
        let audit = try XCTUnwrap(audited, "\(name) not audited", file: file, line: line)
        let figures = try AuditEvidence.figures(for: audit)
        for evidence in figures {
            try MarkupDocument.checkWellFormed(try MarkupDocument.svg(evidence.figure.svg), name: evidence.figure.name)
        }
        return DefectEvidence(audit: audit, facts: CaseFacts.read(.file(audit.file)), figures: figures)
    }

    /// The figure of the (first) finding of `check`, with that finding.
    func figure(_ check: String, structure: String? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> EvidenceFigure {
        try XCTUnwrap(figures.first { $0.check == check && (structure == nil || $0.finding.measured["structure"] == .text(structure!)) },
                      "no \(check) evidence among \(figures.map(\.figure.name))", file: file, line: line)
    }
}

/// One slice panel of an evidence figure as the SVG places it, with its markers.
struct EvidencePanel {
    let plane: String
    let fixedIndex: Int?
    let x: Double, y: Double, width: Double, height: Double
    let png: [UInt8]
    let markers: [MarkupElement]

    static func all(in svg: MarkupElement) throws -> [EvidencePanel] {
        try svg.all.filter { $0.attribute("class") == "slice-panel" }.map { group in
            let image = try XCTUnwrap(group.descendants(named: "image").first)
            let href = try XCTUnwrap(image.attribute("href"))
            let png = try XCTUnwrap(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))))
            return EvidencePanel(plane: group.attribute("data-plane") ?? "", fixedIndex: group.attribute("data-fixed-index").flatMap { Int($0) },
                                 x: image.number("x") ?? .nan, y: image.number("y") ?? .nan,
                                 width: image.number("width") ?? .nan, height: image.number("height") ?? .nan,
                                 png: [UInt8](png), markers: group.marks("marker"))
        }
    }

    /// The marker labelled `label`, and its drawn centre recovered as a fractional grid index
    /// along the panel's horizontal and vertical axes: pixels tile the grid's extent edge to edge,
    /// so a centre at fraction f of the panel's width is index f · count − ½ (growing up for slices).
    func marker(_ label: String, horizontalCount: Int, verticalCount: Int, verticalGrowsUp: Bool) throws -> (element: MarkupElement, horizontal: Double, vertical: Double) {
        let element = try XCTUnwrap(markers.first { $0.attribute("data-label") == label }, "no marker \(label) on the \(plane) panel")
        let ring = try XCTUnwrap(element.descendants(named: "circle").first)
        let (cx, cy) = (try XCTUnwrap(ring.number("cx")), try XCTUnwrap(ring.number("cy")))
        let horizontal = (cx - x) / width * Double(horizontalCount) - 0.5
        let down = (cy - y) / height * Double(verticalCount) - 0.5
        return (element, horizontal, verticalGrowsUp ? Double(verticalCount - 1) - down : down)
    }

    /// Pixels of the panel's PNG (decoded by Python's zlib) that have exactly `colour`.
    func count(_ colour: (Int, Int, Int)) throws -> Int {
        let image = try DecodedPNG.decode(png)
        var found = 0
        for y in 0..<image.height { for x in 0..<image.width where image.rgb(x: x, y: y) == colour { found += 1 } }
        return found
    }
}

extension AuditFinding {
    func value(_ key: String) -> Double? {
        switch measured[key] {
        case let .number(value)?: value
        case let .integer(value)?: Double(value)
        default: nil
        }
    }
}

/// How the audit rounds its measured values (four decimals).
func auditRounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

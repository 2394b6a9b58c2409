import Audit
import DoseCase
import Foundation
import NumpyFormat
import Reports
import XCTest

/// The case viewer page: strict, offline, and carrying exactly the case — grid, spacing,
/// structures, CT, dose and masks in the sheets, metadata and findings beside them.
final class CaseViewerTests: XCTestCase {
    /// 12 rows × 20 columns × 6 slices at 1.5 × 1 × 2.5 mm: soft tissue (50 HU) everywhere, one bone
    /// voxel (1000 HU) at a high column (patient left) and one air voxel (−1000 HU) at a low one in
    /// the same row and slice; dose rising with the column; PTV70 a box, Femur_L on the left
    /// (high columns), Femur_R on the right, the ninth channel (PTV50.4) empty.
    static let shape = VolumeShape(rows: 12, columns: 20, slices: 6)
    static let spacing = VoxelSpacing(yMM: 1.5, xMM: 1, zMM: 2.5, source: .voxelSpacingMM)
    static let bone = (row: 3, column: 17, slice: 2), air = (row: 3, column: 2, slice: 2)

    static func input(caseId: String = "case_0042", findings: [AuditFinding]? = [], metadata: MetadataValue? = nil) throws -> CaseViewerInput {
        var ct = [Float](repeating: 0.5 + 50 / 4000, count: shape.voxelCount)
        ct[shape.offset(row: bone.row, column: bone.column, slice: bone.slice)] = 0.5 + 1000 / 4000
        ct[shape.offset(row: air.row, column: air.column, slice: air.slice)] = 0.25
        var dose = [Float](repeating: 0, count: shape.voxelCount)
        var masks = [UInt8](repeating: 0, count: 9 * shape.voxelCount)
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                for slice in 0..<shape.slices {
                    let offset = shape.offset(row: row, column: column, slice: slice)
                    dose[offset] = Float(column) / 19
                    if (4...7).contains(row), (8...12).contains(column), (1...4).contains(slice) { masks[offset] = 1 }
                    if (5...8).contains(row), (15...18).contains(column) { masks[5 * shape.voxelCount + offset] = 1 }
                    if (5...8).contains(row), (1...4).contains(column) { masks[6 * shape.voxelCount + offset] = 1 }
                }
            }
        }
        let catalog = ChannelCatalog.from(metadata: nil, channelCount: 9)
        let drawing = try CaseViewerDrawing(
            file: "cases/\(caseId).npz", spacing: spacing, ct: try Volume(shape: shape, elements: ct), dose: try Volume(shape: shape, elements: dose),
            masks: try ChannelStack(catalog: catalog, shape: shape, checkedElements: masks))
        return CaseViewerInput(caseId: caseId, file: "cases/\(caseId).npz", formatVersion: "2.4", drawing: drawing, metadata: metadata,
                               findings: findings)
    }

    func testPageParsesStrictlyAndReferencesNothingOutside() throws {
        let page = try CaseViewer.page(try Self.input())
        try MarkupDocument.checkWellFormed(page.html, name: "case_0042.html")
        let parsed = try ParsedViewerPage(page.html)
        for element in parsed.elements {
            if let source = element.attributes["src"] { XCTAssertTrue(source.hasPrefix("data:"), "<\(element.name) src=\(source.prefix(40))>") }
            if let link = element.attributes["href"] { XCTAssertFalse(link.contains(":"), "<\(element.name) href=\(link)> leaves the page") }
        }
        XCTAssertTrue(parsed.all("link").isEmpty, "no stylesheets or fonts fetched")
        let scripts = parsed.all("script")
        XCTAssertEqual(scripts.count, 2, "the data block and the viewer's script")
        XCTAssertTrue(scripts.allSatisfy { $0.attributes["src"] == nil }, "no script is fetched")
        let text = String(decoding: page.html, as: UTF8.self)
        // The only URLs are the namespaces libxml2 and SVG declare (and libxml2's http-equiv meta).
        let urls = text.components(separatedBy: "http").dropFirst().map { String($0.prefix(30)) }
        let namespaces = ["://www.w3.org/1999/xhtml", "://www.w3.org/2000/svg", "-equiv=\"Content-Type\""]
        XCTAssertTrue(urls.allSatisfy { url in namespaces.contains { url.hasPrefix($0) } }, "\(urls)")
        XCTAssertFalse(text.contains("@import") || text.contains("url(http"))
        // The script is verbatim (its comparisons unescaped) inside a CDATA section behind comments.
        XCTAssertTrue(text.contains("<script>//<![CDATA[\n\"use strict\";"))
        XCTAssertTrue(text.contains("u >= 0 && v >= 0"), "the script's operators are written as they are")
    }

    func testEmbeddedDataMatchesTheCase() throws {
        let input = try Self.input()
        let page = try CaseViewer.page(input)
        let data = try ParsedViewerPage(page.html).data()
        XCTAssertEqual(data["format"] as? String, CaseViewer.dataFormat)
        XCTAssertEqual(data["caseId"] as? String, "case_0042")
        let grid = try XCTUnwrap(data["grid"] as? [String: Any])
        XCTAssertEqual(grid["shape"] as? [Int], [12, 20, 6], "a small case is shown at full resolution")
        XCTAssertEqual(grid["caseShape"] as? [Int], [12, 20, 6])
        XCTAssertEqual(grid["factors"] as? [Int], [1, 1, 1])
        XCTAssertEqual(grid["spacingMM"] as? [Double], [1.5, 1, 2.5])
        let structures = try XCTUnwrap(data["structures"] as? [[String: Any]])
        XCTAssertEqual(structures.compactMap { $0["name"] as? String }, ChannelCatalog.from(metadata: nil, channelCount: 9).channels.map(\.name))
        XCTAssertEqual(structures.compactMap { $0["layer"] as? String }, Array(repeating: "structures-0", count: 8) + ["structures-1"])
        XCTAssertEqual(try XCTUnwrap(structures[0]["volumeCC"] as? Double), 4 * 5 * 4 * 1.5 * 1 * 2.5 / 1000, accuracy: 1e-12)
        XCTAssertEqual(structures[8]["volumeCC"] as? Double, 0, "PTV50.4 is empty")
        // The page opens on the PTV70's centre: rows 4–7, columns 8–12, slices 1–4.
        XCTAssertEqual(data["start"] as? [Int], [6, 10, 3])
        XCTAssertEqual(Set((try XCTUnwrap(data["layers"] as? [String: Any])).keys), ["ct", "dose", "structures-0", "structures-1"])
    }

    /// The sheets, decoded by Python's zlib and reassembled as the page's script does, give back the
    /// case: bone on the right of the axial tile (patient left, radiological view), the dose levels,
    /// the femur bits on their sides; and every layer's checksum is the script's.
    func testSheetsHoldTheCaseInDisplayOrder() throws {
        let page = try CaseViewer.page(try Self.input())
        let parsed = try ParsedViewerPage(page.html)
        let data = try parsed.data()
        let sheets = try XCTUnwrap(data["sheets"] as? [String: Int])
        let (perSheet, tiles) = (try XCTUnwrap(sheets["slicesPerSheet"]), try XCTUnwrap(sheets["columns"]))
        XCTAssertEqual([perSheet, tiles], [6, 3], "all six slices in one sheet, three tiles a row")
        let ctSheet = try DecodedPNG.decode(try parsed.sheet("ct", 0))
        XCTAssertEqual([ctSheet.width, ctSheet.height, ctSheet.channels], [3 * 20, 2 * 12, 1])
        let tileLeft = (Self.bone.slice % tiles) * 20, tileTop = (Self.bone.slice / tiles) * 12
        func ct(_ column: Int) -> UInt8 { ctSheet.pixels[(tileTop + Self.bone.row) * ctSheet.width + tileLeft + column] }
        XCTAssertEqual(ct(Self.bone.column), 255, "bone (high column, patient left) is white on the tile's right")
        XCTAssertEqual(ct(Self.air.column), 0, "air on the tile's left is black")
        XCTAssertEqual(ct(10), 134, "50 HU: (50 + 160) / 400 of the soft-tissue window's 255")

        let layers = try XCTUnwrap(data["layers"] as? [String: [String: Int]])
        var reassembled: [String: [UInt8]] = [:]
        for (name, facts) in layers {
            var bytes = [UInt8](repeating: 0, count: Self.shape.voxelCount)
            for index in 0..<(facts["sheets"] ?? 0) {
                let sheet = try DecodedPNG.decode(try parsed.sheet(name, index))
                for tile in 0..<perSheet where index * perSheet + tile < Self.shape.slices {
                    let (left, top) = ((tile % tiles) * 20, (tile / tiles) * 12)
                    for row in 0..<12 {
                        for column in 0..<20 {
                            bytes[((index * perSheet + tile) * 12 + row) * 20 + column] = sheet.pixels[(top + row) * sheet.width + left + column]
                        }
                    }
                }
            }
            let checksum = bytes.enumerated().reduce(0) { $0 + Int($1.element) * ($1.offset % 251 + 1) }
            XCTAssertEqual(checksum, facts["checksum"], "\(name): the script's checksum of what the sheets hold")
            reassembled[name] = bytes
        }
        func at(_ layer: String, row: Int, column: Int, slice: Int) -> UInt8 { reassembled[layer]?[(slice * 12 + row) * 20 + column] ?? 0 }
        let topGy = try XCTUnwrap((data["dose"] as? [String: Any])?["topGy"] as? Double)
        for column in [0, 7, 19] {
            let expected = UInt8((Double(Float(column) / 19) * 70 / topGy * 255).rounded())
            XCTAssertEqual(at("dose", row: 0, column: column, slice: 0), expected, "dose level at column \(column)")
        }
        XCTAssertEqual(at("structures-0", row: 6, column: 10, slice: 3), 0b1, "PTV70 only")
        XCTAssertEqual(at("structures-0", row: 6, column: 16, slice: 0), 1 << 5, "Femur_L (bit 5) on the patient's left: high columns")
        XCTAssertEqual(at("structures-0", row: 6, column: 2, slice: 0), 1 << 6, "Femur_R (bit 6) on the right: low columns")
        XCTAssertTrue(reassembled["structures-1"]?.allSatisfy { $0 == 0 } ?? false, "the empty ninth channel")
    }

    func testDoseColoursAreTheReportsViridisAboveTheThreshold() throws {
        let page = try CaseViewer.page(try Self.input())
        let dose = try XCTUnwrap(try ParsedViewerPage(page.html).data()["dose"] as? [String: Any])
        let colours = try XCTUnwrap(dose["colours"] as? [Any])
        let topGy = try XCTUnwrap(dose["topGy"] as? Double)
        XCTAssertEqual(colours.count, 256)
        XCTAssertEqual(dose["thresholdGy"] as? Double, CaseViewerDrawing.doseThresholdGy)
        XCTAssertGreaterThanOrEqual(topGy, 70, "the scale covers the largest dose")
        let scale = try ColourScale(map: .dose, lower: CaseViewerDrawing.doseThresholdGy, upper: topGy, label: "Dose (Gy)")
        for level in [0, 10, 100, 255] {
            let gy = Double(level) / 255 * topGy
            XCTAssertEqual(colours[level] as? String, gy > 5 ? scale.colour(of: gy).hex : nil, "level \(level) = \(gy) Gy")
        }
        XCTAssertEqual(colours[255] as? String, "#fde725", "the top is viridis' yellow")
    }

    func testMetadataFindingsAndMarkupInTextAreShownSafely() throws {
        let metadata = MetadataValue.dictionary([
            "case_id": .string("case<1>&"), "voxel_spacing_mm": .tuple([.float(1.5), .float(1), .float(2.5)]),
            "prescription_info": .dictionary(["primary_dose": .float(70), "source": .string("default")]),
            "beam_geometry": .list((0..<40).map { .int(Int64($0)) }),
        ])
        let findings = [
            AuditFinding(check: "dose.ptv_d95", severity: .warning, message: "PTV70 D95 = 55 Gy < 66.5 Gy"),
            AuditFinding(check: "labels.femur_laterality", severity: .error, message: "Femur_L lies on the patient's right"),
        ]
        let page = try CaseViewer.page(try Self.input(caseId: "case<1>&", findings: findings, metadata: metadata))
        let parsed = try ParsedViewerPage(page.html)
        XCTAssertEqual(try parsed.data()["caseId"] as? String, "case<1>&", "JSON escapes survive the round trip")
        XCTAssertFalse(try parsed.element(id: "viewer-data").text.contains("<"), "no '<' in the data block")
        let rows = parsed.all("tr").filter { ["error", "warning"].contains($0.attributes["class"] ?? "") }
        XCTAssertEqual(rows.map(\.childTexts), [["error", "labels.femur_laterality", "Femur_L lies on the patient's right"],
                                                ["warning", "dose.ptv_d95", "PTV70 D95 = 55 Gy < 66.5 Gy"]], "worst first")
        let terms = parsed.all("dt").map(\.text)
        XCTAssertEqual(Array(terms.prefix(4)), ["case_id", "voxel_spacing_mm", "prescription_info", "primary_dose"])
        let values = parsed.all("dd").map(\.text)
        XCTAssertTrue(values.contains("[1.5, 1.0, 2.5]"), "\(values)")
        XCTAssertTrue(values.contains("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … 40 values]"), "a long list is cut")
        XCTAssertEqual(parsed.all("h1").map(\.text), ["case<1>&"])

        let clean = try ParsedViewerPage(try CaseViewer.page(try Self.input(findings: [])).html)
        XCTAssertTrue(clean.all("p").contains { $0.text == "No findings: every check passed." })
        let unaudited = try ParsedViewerPage(try CaseViewer.page(try Self.input(findings: nil)).html)
        XCTAssertTrue(unaudited.all("p").contains { $0.text == "Not audited." })
    }

    /// A case wider than 320 voxels is averaged in 2 × 2 in-plane blocks, and the page says so.
    func testAWideCaseIsDownsampledAndSaysSo() throws {
        let shape = VolumeShape(rows: 8, columns: 330, slices: 4)
        var ct = [Float](repeating: 0.5, count: shape.voxelCount)
        // One block of four voxels: −150 and 250 HU twice each average to 50 HU.
        for (row, column, hu) in [(0, 0, -150.0), (0, 1, 250), (1, 0, -150), (1, 1, 250)] {
            ct[shape.offset(row: row, column: column, slice: 0)] = Float(hu / 4000 + 0.5)
        }
        var masks = [UInt8](repeating: 0, count: shape.voxelCount)
        masks[shape.offset(row: 2, column: 2, slice: 0)] = 1  // two of the block's four voxels: inside
        masks[shape.offset(row: 3, column: 3, slice: 0)] = 1
        masks[shape.offset(row: 4, column: 4, slice: 0)] = 1  // one of four: outside
        let drawing = try CaseViewerDrawing(
            file: "wide.npz", spacing: VoxelSpacing(yMM: 1, xMM: 1, zMM: 2, source: .voxelSpacingMM), ct: try Volume(shape: shape, elements: ct),
            dose: nil, masks: try ChannelStack(catalog: ChannelCatalog.from(metadata: nil, channelCount: 1), shape: shape, checkedElements: masks))
        let page = try CaseViewer.page(CaseViewerInput(caseId: "wide", file: "wide.npz", drawing: drawing))
        XCTAssertEqual(page.grid.factors, [2, 2, 1])
        XCTAssertTrue(page.notes.contains { $0.hasPrefix("Downsampled for this page from 8×330×4 at 1×1×2 mm to 4×165×4 voxels at 2×2×2 mm") },
                      "\(page.notes)")
        let parsed = try ParsedViewerPage(page.html)
        XCTAssertTrue(parsed.all("li").contains { $0.text.hasPrefix("Downsampled for this page") }, "the page says so")
        let data = try parsed.data()
        let grid = try XCTUnwrap(data["grid"] as? [String: Any])
        XCTAssertEqual(grid["shape"] as? [Int], [4, 165, 4])
        XCTAssertEqual(grid["spacingMM"] as? [Double], [2, 2, 2])
        XCTAssertTrue(data["dose"] is NSNull, "no dose: no colourwash")
        let ctSheet = try DecodedPNG.decode(try parsed.sheet("ct", 0))
        XCTAssertEqual(ctSheet.pixels[0], 134, "the block's mean, 50 HU")
        let bits = try DecodedPNG.decode(try parsed.sheet("structures-0", 0))
        XCTAssertEqual(bits.pixels[1 * bits.width + 1], 1, "half the block inside: inside")
        XCTAssertEqual(bits.pixels[2 * bits.width + 2], 0, "a quarter inside: outside")
    }

    func testNothingToDrawOrTwoGridsAreTypedErrors() throws {
        XCTAssertThrowsError(try CaseViewerDrawing(file: "empty.npz", spacing: .fallback, ct: nil, dose: nil, masks: nil)) { error in
            XCTAssertEqual(error as? ViewerError, .nothingToShow(file: "empty.npz"))
            XCTAssertEqual((error as? ViewerError)?.code, "viewer.nothing_to_show")
        }
        let small = VolumeShape(rows: 2, columns: 2, slices: 2), other = VolumeShape(rows: 2, columns: 3, slices: 2)
        XCTAssertThrowsError(try CaseViewerDrawing(file: "mixed.npz", spacing: .fallback,
                                                   ct: try Volume(shape: small, elements: Array(repeating: 0.5, count: 8)),
                                                   dose: try Volume(shape: other, elements: Array(repeating: 0, count: 12)), masks: nil)) { error in
            XCTAssertEqual(error as? ImageError, .gridMismatch(volume: "dose", expected: small, found: other))
        }
    }
}

import DoseCase
import Dosimetry
import Evaluation
import Foundation
import Lineage
import Phantoms
import Reports
import SharedCohort
import Workflows
import XCTest

/// `report` of a pinned evaluation with kept gamma maps: every file parses, the figures' numbers
/// are the record's numbers (and the DVH's are NumPy's), the representative case is the median.
final class ReportWorkflowTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-report")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Evaluates the split's test cases with kept gamma maps and returns the record.
    private func evaluate() async throws -> EvaluationRecord {
        let split = try SplitRevision.resolve("main", in: space)
        let test = split.identity.cases.filter { $0.role == .test }.map(\.caseId)
        let folder = work.appendingPathComponent("predictions").path
        try SyntheticPrediction.writePredictions(forCases: try test.map { try FrozenCleanCohort.file(of: $0, dataset: dataset, in: space) },
                                                 to: folder, seed: 3)
        var request = EvaluateRequest(references: [], predictions: folder,
                                      selection: SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test), workspace: space,
                                      subsample: 2)
        request.saveGammaMaps = true
        return try await EvaluateWorkflow.run(request).record
    }

    func testAnEvaluationsReportShowsTheRecordsNumbers() async throws {
        let record = try await evaluate()
        let outcome = try await ReportWorkflow.run(ReportRequest(subject: String(record.hash.prefix(10)), workspace: space, workers: 2))
        XCTAssertEqual(outcome.directory, space.file("reports/evaluation-\(record.hash.prefix(16))"))
        let folder = URL(fileURLWithPath: outcome.directory)
        func text(_ file: String) throws -> String { String(decoding: try Data(contentsOf: folder.appendingPathComponent(file)), as: UTF8.self) }

        // Every page and figure parses strictly; the page fetches nothing.
        for file in outcome.files where file.hasSuffix(".svg") || file.hasSuffix(".html") {
            try MarkupDocument.checkWellFormed(Array(try Data(contentsOf: folder.appendingPathComponent(file))), name: file)
        }
        let page = try text("index.html")
        XCTAssertFalse(page.contains("<script") || page.contains("<link") || page.contains("src=\"http") || page.contains("href=\"http"))
        XCTAssertTrue(page.contains(record.hash), "the lineage names the evaluation")
        XCTAssertTrue(page.contains(dataset), "and the dataset version")
        // Every PNG decodes: signature, each chunk's CRC, the zlib stream (Adler-32), the image size.
        let pngs = outcome.files.filter { $0.hasSuffix(".png") }.map { folder.appendingPathComponent($0).path }
        XCTAssertFalse(pngs.isEmpty)
        try TestProcess.python(Self.pngCheck, pngs)

        // The representative case is the one with the median MAE.
        let maes = record.identity.cases.compactMap { evaluation in evaluation.maeGy.map { (evaluation.caseId, $0) } }.sorted { $0.1 < $1.1 }
        let representative = maes[(maes.count - 1) / 2].0
        XCTAssertTrue(outcome.files.contains("figures/colourwash-\(representative).png"))
        XCTAssertTrue(outcome.files.contains("figures/difference-\(representative).svg"))
        XCTAssertEqual(outcome.files.filter { $0.hasPrefix("figures/colourwash-") && $0.hasSuffix(".png") }.count, 1, "one case without --all-cases")
        // A gamma slice for every case whose map was kept.
        for evaluation in record.identity.cases { XCTAssertTrue(outcome.files.contains("figures/gamma-\(evaluation.caseId).png"), evaluation.caseId) }

        // DVH curve points are NumPy's cumulative DVH of the case file (dose × 70 in float32).
        let dvh = try text("figures/dvh-\(representative).svg")
        let reference = try FrozenCleanCohort.file(of: representative, dataset: dataset, in: space)
        let prediction = work.appendingPathComponent("predictions/\(representative)_pred.npz").path
        for (series, file, channel) in [("PTV70 reference", reference, 0), ("Rectum prediction", prediction, 3)] {
            let line = try XCTUnwrap(Self.elements(in: dvh).first { $0["data-series"] == series }, series)
            let doses = try XCTUnwrap(line["data-x"]).split(separator: " ").map(String.init)
            let volumes = try XCTUnwrap(line["data-y"]).split(separator: " ").compactMap { Double($0) }
            XCTAssertGreaterThan(doses.count, 20)
            let output = work.appendingPathComponent("dvh-\(channel).json").path
            try TestProcess.python(Self.numpyDVH, [file, reference, String(channel), output] + doses)
            let expected = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [Double])
            XCTAssertEqual(volumes.count, expected.count)
            for (found, wanted) in zip(volumes, expected) { XCTAssertEqual(found, wanted, accuracy: 1e-9, series) }
        }

        // Bar heights are the record's pass rates.
        let bars = Self.elements(in: try text("figures/gamma-pass-rates.svg")).filter { $0["class"] == "bar" }
        for evaluation in record.identity.cases {
            let global = try XCTUnwrap(bars.first { $0["data-category"] == evaluation.caseId && $0["data-series"] == "global" })
            XCTAssertEqual(Double(try XCTUnwrap(global["data-value"])), evaluation.gamma.global.passRate)
            let region = try XCTUnwrap(bars.first { $0["data-category"] == evaluation.caseId && $0["data-series"] == "PTV region" })
            XCTAssertEqual(Double(try XCTUnwrap(region["data-value"])), evaluation.gamma.ptvRegion?.passRate)
        }

        // Heat-map cells are the acceptance results: failed exactly where the record has a violation.
        let cells = Self.elements(in: try text("figures/acceptance.svg")).filter { $0["class"] == "cell" }
        let constraints = record.identity.settings.acceptanceProtocol.definition.constraints
        XCTAssertEqual(cells.count, record.identity.cases.count * constraints.count)
        for evaluation in record.identity.cases {
            let result = evaluation.acceptance.prediction
            for constraint in constraints {
                let cell = try XCTUnwrap(cells.first { $0["data-row"] == evaluation.caseId && $0["data-column"] == constraint.text })
                let expected = result.notEvaluated.contains(constraint.text) ? "not-evaluated"
                    : result.violations.contains { $0.constraint == constraint.text } ? "fail" : "pass"
                XCTAssertEqual(cell["data-state"], expected, "\(evaluation.caseId) \(constraint.text)")
                if let violation = result.violations.first(where: { $0.constraint == constraint.text }) {
                    XCTAssertEqual(Double(try XCTUnwrap(cell["data-value"])), violation.value)
                }
            }
        }

        // Femur bars are the record's femur MAEs.
        let femurBars = Self.elements(in: try text("figures/femur-asymmetry.svg")).filter { $0["class"] == "bar" }
        for evaluation in record.identity.cases {
            let left = try XCTUnwrap(femurBars.first { $0["data-category"] == evaluation.caseId && $0["data-series"] == "Femur_L" })
            XCTAssertEqual(Double(try XCTUnwrap(left["data-value"])), evaluation.femurAsymmetry?.left.maeGy)
        }
    }

    func testAllCasesReplacesTheReportAndSubjectsAreResolvedOrRefused() async throws {
        let record = try await evaluate()
        _ = try await ReportWorkflow.run(ReportRequest(subject: record.fileName, workspace: space, allCases: true, workers: 2))
        let folder = space.file("reports/evaluation-\(record.hash.prefix(16))")
        for evaluation in record.identity.cases {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/figures/colourwash-\(evaluation.caseId).png"), evaluation.caseId)
        }
        // Written again without --all-cases: the folder is replaced whole, no stale figure lingers.
        let again = try await ReportWorkflow.run(ReportRequest(subject: space.file(record.fileName), workspace: space, workers: 2))
        let colourwashes = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/figures").filter { $0.hasPrefix("colourwash-") }
        XCTAssertEqual(colourwashes.count, 2, "one case: its PNG and SVG")
        XCTAssertEqual(again.directory, folder)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: space.file("reports")).contains { $0.hasPrefix(".") }, "no staging left")

        do {
            _ = try await ReportWorkflow.run(ReportRequest(subject: "zzzz", workspace: space))
            XCTFail("an unknown subject must be refused")
        } catch let error as ReportWorkflowError {
            guard case .notFound("zzzz") = error else { return XCTFail("\(error)") }
        }
        do {
            _ = try await ReportWorkflow.run(ReportRequest(subject: space.file("splits/main@1.json"), workspace: space))
            XCTFail("a split record is not a report subject")
        } catch let error as ReportWorkflowError {
            guard case let .notARecord(_, schema) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(schema?.hasPrefix("dosecurate/"), true)
        }
    }

    func testAVersionsReportShowsItsCohortAndSplit() async throws {
        let outcome = try await ReportWorkflow.run(ReportRequest(subject: dataset, workspace: space))
        XCTAssertEqual(outcome.directory, space.file("reports/version-\(dataset)"))
        let page = String(decoding: try Data(contentsOf: URL(fileURLWithPath: outcome.page)), as: UTF8.self)
        try MarkupDocument.checkWellFormed(Array(page.utf8), name: "index.html")
        XCTAssertTrue(page.contains("Split main@1"))
        let version = try DatasetRevision.resolve(dataset, in: space)
        XCTAssertTrue(page.contains("kept \(version.identity.cases.count) of"))
        // The histogram holds every kept case once, and the split's tertile boundaries where the split put them.
        let histogram = Self.elements(in: String(decoding: try Data(contentsOf: URL(fileURLWithPath: "\(outcome.directory)/figures/ptv70-volumes.svg")),
                                                 as: UTF8.self))
        let outline = try XCTUnwrap(histogram.first { $0["data-series"] == "cases" })
        let heights = try XCTUnwrap(outline["data-y"]).split(separator: " ").compactMap { Double($0) }
        XCTAssertEqual(stride(from: 1, to: heights.count - 1, by: 2).map { heights[$0] }.reduce(0, +), Double(version.identity.cases.count))
        let split = try SplitRevision.resolve("main", in: space)
        for (index, boundary) in (split.identity.strata.ptv70TertileBoundariesCC ?? []).enumerated() {
            let line = try XCTUnwrap(histogram.first { $0["data-series"] == "main@1 tertile boundary \(index + 1)" })
            XCTAssertEqual(line["data-x"], "\(boundary) \(boundary)")
        }
    }

    /// The attributes of every element of an SVG that carries a `data-` or `class` attribute.
    static func elements(in svg: String) -> [[String: String]] {
        let tag = try! NSRegularExpression(pattern: "<[a-z]+((?:\\s+[a-zA-Z:-]+=\"[^\"]*\")*)\\s*/?>")
        let attribute = try! NSRegularExpression(pattern: "([a-zA-Z:-]+)=\"([^\"]*)\"")
        let text = svg as NSString
        return tag.matches(in: svg, range: NSRange(location: 0, length: text.length)).compactMap { match in
            let attributes = text.substring(with: match.range(at: 1))
            var found: [String: String] = [:]
            for pair in attribute.matches(in: attributes, range: NSRange(location: 0, length: (attributes as NSString).length)) {
                let value = (attributes as NSString).substring(with: pair.range(at: 2)).replacingOccurrences(of: "&lt;", with: "<")
                    .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
                found[(attributes as NSString).substring(with: pair.range(at: 1))] = value
            }
            return found.keys.contains { $0.hasPrefix("data-") || $0 == "class" } ? found : nil
        }
    }

    /// argv: dose file (its `dose` array), reference case (masks), channel, output json, doses…
    static let numpyDVH = """
        import json, sys, numpy as np
        dose_file, case_file, channel, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        dose = np.load(dose_file)["dose"].astype(np.float32) * np.float32(70)
        inside = dose[np.load(case_file)["masks"][channel] > 0]
        json.dump([float(100.0 * np.count_nonzero(inside >= np.float32(float(d))) / inside.size) for d in sys.argv[5:]], open(out, "w"))
        """

    /// argv: PNG files; fails unless each is a valid 8-bit RGB(A) PNG whose rows all un-filter.
    static let pngCheck = """
        import struct, sys, zlib
        for path in sys.argv[1:]:
            data = open(path, "rb").read()
            assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", path
            position, idat, header = 8, b"", None
            while position < len(data):
                length, kind = struct.unpack(">I4s", data[position:position + 8])
                body = data[position + 8:position + 8 + length]
                (crc,) = struct.unpack(">I", data[position + 8 + length:position + 12 + length])
                assert zlib.crc32(kind + body) & 0xffffffff == crc, (path, kind)
                if kind == b"IHDR": header = struct.unpack(">IIBBBBB", body)
                if kind == b"IDAT": idat += body
                position += 12 + length
            width, height, depth, colour = header[:4]
            assert depth == 8 and colour in (2, 6), (path, header)
            raw = zlib.decompress(idat)
            channels = 3 if colour == 2 else 4
            assert len(raw) == height * (1 + width * channels), path
            assert all(raw[row * (1 + width * channels)] <= 4 for row in range(height)), path
        """
}

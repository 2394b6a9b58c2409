import Dosimetry
import Foundation
import XCTest

/// Protocol files: the shipped ones are what the binary has built in, they round-trip, and a
/// wrong row is refused with a message naming it.
final class AcceptanceProtocolTests: XCTestCase {
    private var repositoryProtocols: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../protocols").standardized
    }

    func testShippedFilesAreTheBuiltInProtocols() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: repositoryProtocols.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files.map { String($0.dropLast(5)) }, AcceptanceProtocol.builtInNames)
        XCTAssertEqual(AcceptanceProtocol.builtInNames, ["current", "published-v2.3"])
        for file in files {
            let path = repositoryProtocols.appendingPathComponent(file).path
            let fromFile = try AcceptanceProtocol.load(path)
            XCTAssertEqual(fromFile, try AcceptanceProtocol.builtIn(named: String(file.dropLast(5))),
                           "protocols/\(file) differs from the built-in copy: run `make protocols`")
            XCTAssertEqual(fromFile.name, String(file.dropLast(5)))
        }
    }

    /// The spec's two tables (dosimetry.md, "Clinical acceptance table").
    func testShippedTablesFollowTheSpec() throws {
        let current = try AcceptanceProtocol.builtIn(named: "current")
        XCTAssertEqual(current.constraints.count, 20)
        XCTAssertEqual(current.constraints.map(\.text).prefix(6), [
            "PTV70 V100 >= 95 %", "PTV70 Dmax <= 74.9 Gy", "PTV56 V100 >= 95 %", "PTV56 Dmax <= 59.92 Gy",
            "PTV50.4 V100 >= 95 %", "PTV50.4 Dmax <= 53.928 Gy",
        ])
        XCTAssertTrue(current.constraints.contains(.init(structure: "Bowel", metric: .v45cc, comparison: .atMost, limit: 195, unit: "cc",
                                                         description: "at most 195 cc of bowel receives 45 Gy")))
        let older = try AcceptanceProtocol.builtIn(named: "published-v2.3")
        XCTAssertEqual(older.constraints.filter { $0.structure.hasPrefix("PTV") }.map(\.text),
                       ["PTV70 D95 >= 66.5 Gy", "PTV70 V95 >= 95 %", "PTV56 D95 >= 53.2 Gy", "PTV56 V95 >= 95 %"])
        XCTAssertEqual(older.constraints.filter { !$0.structure.hasPrefix("PTV") }, current.constraints.filter { !$0.structure.hasPrefix("PTV") })
    }

    func testProtocolRoundTripsThroughItsFileFormat() throws {
        let current = try AcceptanceProtocol.builtIn(named: "current")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let reread = try AcceptanceProtocol.decode(Array(try encoder.encode(current)), file: "copy.json")
        XCTAssertEqual(reread, current)
    }

    /// Each refusal has its code, and its message (what a user reads) names the offending row and value.
    func testInvalidRowsAreRefusedByName() {
        func refusal(_ constraint: String, schema: String = "dosecurate/protocol/1") -> (code: String, message: String) {
            let text = #"{"schema": "\#(schema)", "name": "mine", "description": "", "constraints": [\#(constraint)]}"#
            do {
                _ = try AcceptanceProtocol.decode(Array(text.utf8), file: "mine.json")
                return ("accepted", "accepted")
            } catch { return ((error as? AcceptanceProtocolError)?.code ?? "\(type(of: error))", "\(error)") }
        }
        let row = #"{"structure": "Rectum", "metric": "V70", "comparison": "<=", "limit": 15, "unit": "%", "description": "d"}"#
        XCTAssertEqual(refusal(row).code, "accepted")
        let structure = refusal(row.replacingOccurrences(of: "Rectum", with: "rectum"))
        XCTAssertEqual(structure.code, "acceptance_protocol.invalid_constraint")
        XCTAssertEqual(structure.message,
                       "mine.json: constraint 1: structure 'rectum' is not one of PTV70, PTV56, Prostate, Rectum, Bladder, Femur_L, Femur_R, Bowel, PTV50.4")
        let unreported = refusal(row.replacingOccurrences(of: "\"V70\"", with: "\"V100\""))
        XCTAssertEqual(unreported.code, "acceptance_protocol.invalid_constraint")
        XCTAssertTrue(unreported.message.contains("V100 is not reported for Rectum"), unreported.message)
        // An unknown metric or comparison is a value the format does not allow, in a file that reads fine.
        let metric = refusal(row.replacingOccurrences(of: "\"V70\"", with: "\"V71\""))
        XCTAssertEqual(metric.code, "acceptance_protocol.invalid")
        XCTAssertTrue(metric.message.contains("metric must be one of D98, D95"), metric.message)
        let comparison = refusal(row.replacingOccurrences(of: "\"<=\"", with: "\"=<\""))
        XCTAssertEqual(comparison.code, "acceptance_protocol.invalid")
        XCTAssertTrue(comparison.message.contains("comparison must be one of <=, >=, <, >"), comparison.message)
        let unit = refusal(row.replacingOccurrences(of: "\"%\"", with: "\"cc\""))
        XCTAssertEqual(unit.code, "acceptance_protocol.invalid_constraint")
        XCTAssertTrue(unit.message.contains("V70 is in %, found unit 'cc'"), unit.message)
        let limit = refusal(row.replacingOccurrences(of: #""limit": 15, "#, with: ""))
        XCTAssertEqual(limit.code, "acceptance_protocol.invalid")
        XCTAssertTrue(limit.message.contains("missing 'limit'"), limit.message)
        let schema = refusal(row, schema: "other/1")
        XCTAssertEqual(schema.code, "acceptance_protocol.invalid")
        XCTAssertTrue(schema.message.contains("expected schema dosecurate/protocol/1"), schema.message)
        let empty = refusal("")
        XCTAssertEqual(empty.code, "acceptance_protocol.invalid")
        XCTAssertTrue(empty.message.contains("it has no constraints"), empty.message)
        XCTAssertThrowsError(try AcceptanceProtocol.load("no-such-protocol")) { error in
            XCTAssertEqual((error as? AcceptanceProtocolError)?.code, "acceptance_protocol.unknown_built_in")
            XCTAssertEqual("\(error)", "'no-such-protocol' is neither a protocol file nor a built-in protocol (built-in: current, published-v2.3)")
        }
    }

    /// Limits are inclusive for <= and >=; an absent structure's constraints are neither met nor
    /// failed; compliance counts evaluated constraints only.
    func testCheckCountsMetViolatedAndNotEvaluated() throws {
        let table = AcceptanceProtocol(name: "t", description: "", constraints: [
            .init(structure: "PTV70", metric: .v100, comparison: .atLeast, limit: 95, unit: "%", description: ""),
            .init(structure: "Rectum", metric: .v70, comparison: .atMost, limit: 15, unit: "%", description: ""),
            .init(structure: "Bladder", metric: .maxDose, comparison: .below, limit: 75, unit: "Gy", description: ""),
            .init(structure: "PTV56", metric: .v100, comparison: .atLeast, limit: 95, unit: "%", description: ""),
        ])
        let values: [String: Double] = ["PTV70": 95, "Rectum": 15, "Bladder": 75]
        let result = table.check { structure, _ in values[structure] }
        XCTAssertFalse(result.passed)
        XCTAssertEqual(result.constraintsMet, 2)
        XCTAssertEqual(result.constraintsEvaluated, 3)
        XCTAssertEqual(try XCTUnwrap(result.compliancePercent), 200.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(result.violations.map(\.constraint), ["Bladder Dmax < 75 Gy"])
        XCTAssertEqual(result.notEvaluated, ["PTV56 V100 >= 95 %"])
        let nothing = table.check { _, _ in nil }
        XCTAssertFalse(nothing.passed)
        XCTAssertNil(nothing.compliancePercent)
    }
}

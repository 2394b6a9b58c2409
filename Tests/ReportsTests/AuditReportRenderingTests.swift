import Audit
import CXML2
import Foundation
@testable import Reports
import SharedCohort
import XCTest

/// The audit report's renderings: JUnit XML that libxml2 parses back into the same verdicts, JSON
/// that validates against `schemas/audit-report.schema.json`, and the terminal table.
final class AuditReportRenderingTests: XCTestCase {
    struct ParsedSuite: Equatable {
        var name = ""
        var testcases = 0
        var failed: [String] = []
        var skipped = 0
    }

    /// Parses JUnit XML with libxml2 and collects per-suite test cases, failures and skips.
    static func parse(_ xml: [UInt8]) throws -> [ParsedSuite] {
        let document = xml.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { xmlReadMemory(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), Int32(buffer.count), "junit.xml", nil, 0) } ?? nil
        }
        guard let document else { throw XCTSkip("libxml2 could not parse the report") }
        defer { xmlFreeDoc(document) }
        func name(_ node: xmlNodePtr) -> String { String(cString: node.pointee.name) }
        func attribute(_ node: xmlNodePtr, _ key: String) -> String {
            guard let value = xmlGetProp(node, key) else { return "" }
            defer { dc_xml_free(value) }
            return String(cString: value)
        }
        func children(_ node: xmlNodePtr) -> [xmlNodePtr] {
            var result: [xmlNodePtr] = []
            var child = node.pointee.children
            while let current = child {
                if current.pointee.type == XML_ELEMENT_NODE { result.append(current) }
                child = current.pointee.next
            }
            return result
        }
        let root = try XCTUnwrap(xmlDocGetRootElement(document))
        XCTAssertEqual(name(root), "testsuites")
        return children(root).map { suite in
            var parsed = ParsedSuite(name: attribute(suite, "name"))
            for testcase in children(suite) where name(testcase) == "testcase" {
                parsed.testcases += 1
                for outcome in children(testcase) {
                    if name(outcome) == "failure" { parsed.failed.append(attribute(testcase, "name")) }
                    if name(outcome) == "skipped" { parsed.skipped += 1 }
                }
            }
            return parsed
        }
    }

    func testJUnitRoundTripsThroughLibxml2() async throws {
        let report = try await AuditedCohort.report()
        let suites = try Self.parse(AuditJUnitXML.render(report))
        XCTAssertEqual(suites.map(\.name), report.cases.map(\.file))
        for (suite, audit) in zip(suites, report.cases) {
            XCTAssertEqual(suite.testcases, report.checks.count, audit.file)
            XCTAssertEqual(Set(suite.failed), Set(audit.findings.filter { $0.severity == .error }.map(\.check)), audit.file)
            let unreadable = audit.findings.contains { $0.check == FileReadableCheck.id }
            XCTAssertEqual(suite.skipped, unreadable ? report.checks.count - 1 : 0, audit.file)
        }
        XCTAssertTrue(suites.contains { !$0.failed.isEmpty } && suites.contains { $0.failed.isEmpty })
    }

    func testControlCharactersCannotBreakTheXML() {
        XCTAssertEqual(MarkupDocument.xmlSafe("a\u{01}b\tc\nd"), "a\u{FFFD}b\tc\nd")
    }

    func testJSONValidatesAgainstTheSchema() async throws {
        let report = try await AuditedCohort.report()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let reportPath = work.appendingPathComponent("report.json")
        try AuditJSON.render(report).write(to: reportPath)
        XCTAssertEqual(try SchemaValidation.errors(validating: reportPath, against: "audit-report.schema.json"), [])

        // The contract's fields, read back without the schema.
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: AuditJSON.render(report)) as? [String: Any])
        XCTAssertEqual(json["schema"] as? String, "dosecurate/audit-report/1")
        let cases = try XCTUnwrap(json["cases"] as? [[String: Any]])
        let unreadable = try XCTUnwrap(cases.first { ($0["findings"] as? [[String: Any]])?.first?["check"] as? String == "file.readable" })
        XCTAssertTrue(unreadable["caseHash"] is NSNull)
        XCTAssertTrue(unreadable["caseId"] is NSNull, "absent values are null, not left out")
    }

    func testTheTableShowsEveryCaseAndColoursOnlyWhenAsked() async throws {
        let report = try await AuditedCohort.report()
        let plain = AuditTable.render(report, colour: false)
        for audit in report.cases { XCTAssertTrue(plain.contains(audit.file), audit.file) }
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(AuditTable.render(report, colour: true).contains("\u{1B}[31m"))
        XCTAssertTrue(plain.contains("\(report.summary.fail) fail"))
    }
}

import Audit
import Foundation
import SharedCohort
import XCTest
@testable import Reports

/// The audit's page on the shared cohort (every planted defect): one table row per finding, each
/// linked to its case's section, errors styled, evidence linked when given.
final class AuditReportPageTests: XCTestCase {
    func testEveryFindingIsARowLinkedToItsCaseAndItsEvidence() async throws {
        let report = try await AuditedCohort.report()
        let swapped = try XCTUnwrap(report.cases.first { audit in audit.findings.contains { $0.check == FemurLateralityCheck.id && $0.severity == .error } })
        let figure = ReportFigure(name: "evidence-femurs", title: "Femurs", caption: "test",
                                  svg: MarkupElement("svg", [("xmlns", "http://www.w3.org/2000/svg")]))
        let page = try AuditReportPage.page(report, name: "audits/test.json",
                                            evidence: [.init(file: swapped.file, findingIndex: try XCTUnwrap(swapped.findings.firstIndex { $0.check == FemurLateralityCheck.id }),
                                                             figure: figure)])
        let bytes = try page.html()
        try MarkupDocument.checkWellFormed(bytes, name: "index.html")
        let html = String(decoding: bytes, as: UTF8.self)

        let findings = report.cases.reduce(0) { $0 + $1.findings.count }
        XCTAssertGreaterThan(findings, 10)
        // The findings table is the second sortable one (the first counts findings per check).
        let tables = html.components(separatedBy: "<table class=\"sortable\">")
        XCTAssertEqual(tables.count, 3)
        let table = try XCTUnwrap(tables.last?.components(separatedBy: "</table>").first)
        XCTAssertEqual(table.components(separatedBy: "<tr>").count - 2, findings, "one row per finding (minus the header row)")
        XCTAssertTrue(html.contains("class=\"severity-error\">error</td>"))
        XCTAssertTrue(html.contains("<script>"), "sortable tables carry their few lines of script")
        // Every case link points at a section on the page.
        for audit in report.cases where !audit.findings.isEmpty {
            let id = "case-\(AuditReportPage.anchor(audit.file))"
            XCTAssertTrue(html.contains("href=\"#\(id)\"") && html.contains("id=\"\(id)\""), audit.file)
        }
        // The swapped femurs' finding links to its figure, which is on the page once.
        XCTAssertTrue(html.contains("href=\"#figure-evidence-femurs\""))
        XCTAssertEqual(html.components(separatedBy: "id=\"figure-evidence-femurs\"").count, 2)
        XCTAssertEqual(page.figures.map(\.name), ["evidence-femurs"])
    }
}

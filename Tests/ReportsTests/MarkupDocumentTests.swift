import XCTest
@testable import Reports

final class MarkupDocumentTests: XCTestCase {
    func testPageIsHTML5ThatParsesStrictlyAndEscapesText() throws {
        let page = ReportPage(
            title: "Evaluation <3 & more", subtitle: "case \u{1}id",
            lineage: [(key: "dataset", value: "dsv-0123 & co")],
            sections: [ReportSection(title: "Figures", items: [
                .paragraph("5 < 6"),
                .table(ReportTable(caption: "Summary", header: ["metric", "value"], rows: [["MAE", "1.2 Gy"]])),
                .figure(ReportFigure(name: "dvh case/0001", title: "DVH", caption: "curves",
                                     svg: MarkupElement("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", "10"), ("height", "10")],
                                                        [MarkupElement("rect", [("width", "5"), ("height", "5")])]),
                                     png: [1, 2, 3])),
                .commands(["dosecurate report abc"]),
            ])])
        let bytes = try page.html()
        try MarkupDocument.checkWellFormed(bytes, name: "index.html")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("<!DOCTYPE html>\n<html"))
        XCTAssertTrue(text.contains("Evaluation &lt;3 &amp; more"))
        XCTAssertTrue(text.contains("5 &lt; 6"))
        XCTAssertFalse(text.contains("\u{1}"), "control characters are replaced, XML cannot carry them")
        // Empty non-void elements must not be self-closed, or an HTML parser leaves them open.
        XCTAssertTrue(text.contains("<rect width=\"5\" height=\"5\"></rect>") || text.contains("<rect width=\"5\" height=\"5\" />"))
        XCTAssertTrue(text.contains("href=\"figures/dvh-case-0001.svg\""), "unsafe file-name characters become '-'")
        XCTAssertTrue(text.contains("href=\"figures/dvh-case-0001.png\""))
        XCTAssertFalse(text.contains("http://") && text.contains("<script"), "no scripts")
        XCTAssertEqual(page.figures.map(\.name), ["dvh-case-0001"])
    }

    func testRawTextWithMarkupCharactersIsRefused() throws {
        let page = MarkupElement("html", [], [MarkupElement("head", [], [MarkupElement("style", text: "a > b { }")])])
        XCTAssertThrowsError(try MarkupDocument.html(page)) { error in
            guard case let ReportError.markup(file, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? ReportError)?.code, "report.markup")
            XCTAssertEqual(file, "style")
        }
    }

    func testMalformedBytesAreRejectedWithTheFileName() throws {
        XCTAssertThrowsError(try MarkupDocument.checkWellFormed(Array("<svg><g></svg>".utf8), name: "broken.svg")) { error in
            guard case let ReportError.markup(file, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? ReportError)?.code, "report.markup")
            XCTAssertEqual(file, "broken.svg")
        }
        let svg = try MarkupDocument.svg(MarkupElement("svg", [("xmlns", "http://www.w3.org/2000/svg")], [MarkupElement("text", text: "a < b")]))
        XCTAssertTrue(String(decoding: svg, as: UTF8.self).hasPrefix("<?xml"))
        try MarkupDocument.checkWellFormed(svg, name: "ok.svg")
    }

    func testNumbersAreShortAndRounded() {
        XCTAssertEqual(MarkupNumber.format(12), "12")
        XCTAssertEqual(MarkupNumber.format(12.3456), "12.35")
        XCTAssertEqual(MarkupNumber.format(-0.001), "0")
        XCTAssertEqual(MarkupNumber.format(0.5), "0.5")
        XCTAssertEqual(MarkupNumber.format(.nan), "0")
    }
}

/// `MarkupElement.inlineScript`: a script with `<`, `>` and `&` written verbatim in a CDATA section
/// behind `//` comments, so the page still parses strictly; the sequences that would end it early
/// are refused.
final class InlineScriptTests: XCTestCase {
    private func page(_ script: MarkupElement) -> MarkupElement {
        MarkupElement("html", [], [MarkupElement("head", [], [MarkupElement("title", text: "t")]), MarkupElement("body", [], [script])])
    }

    func testScriptIsWrittenVerbatimAndParsesStrictly() throws {
        let source = "if (a < b && c > d) { x = \"&amp;\"; }"
        let bytes = try MarkupDocument.html(page(.inlineScript(source)))
        try MarkupDocument.checkWellFormed(bytes, name: "page.html")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("<script>//<![CDATA[\n\(source)\n//]]></script>"), text)
        XCTAssertEqual(MarkupElement.inlineScript(source).textContent, source)
    }

    func testSequencesThatEndTheScriptEarlyAreRefused() {
        for source in ["a = '</SCRIPT>';", "<!-- b", "x = y[z[0]]>1;"] {
            XCTAssertThrowsError(try MarkupDocument.html(page(.inlineScript(source))), source) { error in
                guard case let ReportError.markup(file, _)? = error as? ReportError else { return XCTFail("\(error)") }
                XCTAssertEqual((error as? ReportError)?.code, "report.markup")
                XCTAssertEqual(file, "script")
            }
        }
        var misplaced = MarkupElement("div")
        misplaced.children = [.scriptSource("x = 1;")]
        XCTAssertThrowsError(try MarkupDocument.html(page(misplaced))) { error in
            guard case let ReportError.markup(file, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? ReportError)?.code, "report.markup")
            XCTAssertEqual(file, "div", "the element that holds script source")
        }
        // Plain text in a script keeps the old rule.
        XCTAssertThrowsError(try MarkupDocument.html(page(MarkupElement("script", text: "a < b")))) { error in
            guard case let ReportError.markup(file, _)? = error as? ReportError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? ReportError)?.code, "report.markup")
            XCTAssertEqual(file, "script")
        }
    }
}

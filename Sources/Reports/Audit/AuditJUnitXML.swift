import Support
import Audit
import CXML2
import NumpyFormat

/// The audit as JUnit XML for CI systems: one `<testsuite>` per case, one `<testcase>` per check;
/// an error finding is a `<failure>`, warnings and info go to the test case's `<system-out>`, and
/// checks that could not run on an unreadable file are `<skipped>`. Built with libxml2, which
/// escapes every attribute and text node.
public enum AuditJUnitXML {
    public static func render(_ report: AuditReport) throws -> [UInt8] {
        guard let document = xmlNewDoc("1.0") else { throw ReportError.xml("libxml2 could not create a document") }
        defer { xmlFreeDoc(document) }
        let root = xmlNewNode(nil, "testsuites")
        xmlDocSetRootElement(document, root)
        let checks = report.checks
        let failures = report.cases.reduce(0) { total, audit in total + Set(audit.findings.filter { $0.severity == .error }.map(\.check)).count }
        xmlNewProp(root, "name", "dosecurate audit")
        xmlNewProp(root, "tests", String(report.cases.count * checks.count))
        xmlNewProp(root, "failures", String(failures))
        xmlNewProp(root, "errors", "0")
        for audit in report.cases {
            let suite = xmlNewChild(root, nil, "testsuite", nil)
            let unreadable = audit.findings.contains { $0.check == FileReadableCheck.id && $0.severity == .error }
            let failed = Set(audit.findings.filter { $0.severity == .error }.map(\.check))
            xmlNewProp(suite, "name", MarkupDocument.xmlSafe(audit.file))
            xmlNewProp(suite, "tests", String(checks.count))
            xmlNewProp(suite, "failures", String(failed.count))
            xmlNewProp(suite, "errors", "0")
            xmlNewProp(suite, "skipped", String(unreadable ? checks.count - 1 : 0))
            let properties = xmlNewChild(suite, nil, "properties", nil)
            for (name, value) in [("caseId", audit.caseId), ("formatVersion", audit.formatVersion), ("planType", audit.planType),
                                  ("status", audit.status.rawValue), ("caseHash", audit.caseHash)] {
                guard let value else { continue }
                let property = xmlNewChild(properties, nil, "property", nil)
                xmlNewProp(property, "name", name)
                xmlNewProp(property, "value", MarkupDocument.xmlSafe(value))
            }
            for check in checks {
                let testcase = xmlNewChild(suite, nil, "testcase", nil)
                xmlNewProp(testcase, "classname", MarkupDocument.xmlSafe(audit.file))
                xmlNewProp(testcase, "name", check.id)
                let findings = audit.findings.filter { $0.check == check.id }
                let errors = findings.filter { $0.severity == .error }
                if !errors.isEmpty {
                    let failure = xmlNewTextChild(testcase, nil, "failure", MarkupDocument.xmlSafe(errors.map(\.message).joined(separator: "\n")))
                    xmlNewProp(failure, "message", MarkupDocument.xmlSafe(errors[0].message))
                    xmlNewProp(failure, "type", "error")
                } else if unreadable && check.id != FileReadableCheck.id {
                    let skipped = xmlNewChild(testcase, nil, "skipped", nil)
                    xmlNewProp(skipped, "message", "the file could not be read")
                }
                let notes = findings.filter { $0.severity != .error }
                if !notes.isEmpty {
                    xmlNewTextChild(testcase, nil, "system-out", MarkupDocument.xmlSafe(notes.map { "\($0.severity.rawValue): \($0.message)" }.joined(separator: "\n")))
                }
            }
        }
        var buffer: UnsafeMutablePointer<xmlChar>?
        var length: Int32 = 0
        xmlDocDumpFormatMemoryEnc(document, &buffer, &length, "UTF-8", 1)
        guard let buffer, length > 0 else { throw ReportError.xml("libxml2 could not serialise the document") }
        defer { dc_xml_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }

    /// Writes the XML atomically.
    public static func write(_ report: AuditReport, to path: String) throws {
        try AtomicFile.write(render(report), to: path)
    }
}

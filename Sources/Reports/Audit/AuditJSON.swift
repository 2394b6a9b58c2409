import Audit
import Foundation

/// The audit report as JSON (`dosecurate/audit-report/1`): keys sorted, slashes unescaped.
public enum AuditJSON {
    public static func render(_ report: AuditReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}

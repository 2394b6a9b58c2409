import Lineage

/// What `freeze` prints: the version id on the first line (scripts take it from there), a
/// one-line summary, and every excluded case with the reason and the checks behind it.
public enum DatasetVersionText {
    public static func render(_ revision: DatasetRevision, note: String) -> String {
        let identity = revision.dataset.identity
        var lines = ["\(revision.reference)  (\(note))", summaryLine(revision.dataset)]
        if !identity.excluded.isEmpty {
            lines.append("excluded:")
            let table = excludedTable(identity)
            lines += TextTable.lines(header: table.header.map { $0.uppercased() }, rows: table.rows)
        }
        let included = identity.cases.filter { $0.inclusion != nil }
        if !included.isEmpty {
            lines.append("included despite audit errors (policy):")
            let table = includedTable(identity)
            lines += TextTable.lines(header: table.header.map { $0.uppercased() }, rows: table.rows)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The excluded cases with the reason and the checks behind it.
    static func excludedTable(_ identity: DatasetVersion.Identity) -> (header: [String], rows: [[String]]) {
        (["case", "institution", "reason", "checks"], identity.excluded.map { exclusion in
            let reason = exclusion.duplicateOf.map { "duplicate of \($0)" } ?? exclusion.reason.rawValue
            return [exclusion.caseId, exclusion.institution, reason, exclusion.checks.joined(separator: ", ").ifEmpty("-")]
        })
    }

    /// The cases kept despite audit errors, with the policy's justification.
    static func includedTable(_ identity: DatasetVersion.Identity) -> (header: [String], rows: [[String]]) {
        (["case", "checks", "justification"], identity.cases.filter { $0.inclusion != nil }.map { entry in
            [entry.caseId, entry.inclusion?.checks.joined(separator: ", ") ?? "", entry.inclusion?.justification ?? ""]
        })
    }

    /// `kept 13 of 29 cases, excluded 16 (1 more file is an identical copy under the same id) · plan types: … · institutions: …`
    public static func summaryLine(_ dataset: DatasetVersion) -> String {
        let identity = dataset.identity
        let total = identity.cases.count + identity.excluded.count
        let copies = dataset.context.files.count { $0.role == .copy }
        return "kept \(identity.cases.count) of \(total) case\(total == 1 ? "" : "s"), excluded \(identity.excluded.count)"
            + (copies > 0 ? " (\(copies) more file\(copies == 1 ? " is an identical copy" : "s are identical copies") under the same id)" : "")
            + " · plan types: " + counts(identity.cases.map { $0.planType ?? "unknown" })
            + " · institutions: " + counts(identity.cases.map(\.institution))
    }

    private static func counts(_ values: [String]) -> String {
        let tally = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +)
        return tally.isEmpty ? "none" : tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

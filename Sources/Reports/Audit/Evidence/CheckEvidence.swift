import Audit

/// How one check's findings are drawn: from the case's facts, through the same functions the
/// check computes with, so the picture and the finding's numbers cannot disagree. (Closures, not a
/// protocol of static methods: the compiler crashes lowering calls through its existential metatypes.)
struct CheckEvidence {
    let check: String
    /// The `masks_sdf` channels (structure names) the drawing of a finding needs kept while the
    /// case is read; the reading keeps no others.
    var signedDistancesNeeded: (AuditFinding) -> Set<String> = { _ in [] }
    /// nil when the facts the picture needs are missing (a case without dose has no isodose).
    let drawing: (AuditFinding, EvidenceContext) throws -> EvidenceDrawing?
}

extension AuditFinding {
    /// A measured value as a number (integers too), nil when absent or not a number.
    func number(_ key: String) -> Double? {
        switch measured[key] {
        case let .number(value)?: value
        case let .integer(value)?: Double(value)
        default: nil
        }
    }

    func text(_ key: String) -> String? {
        if case let .text(value)? = measured[key] { return value }
        return nil
    }
}

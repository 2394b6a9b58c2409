import Support
import Audit

/// Why a case's evidence could not be drawn at all. A finding whose own facts are missing (a
/// case without dose has no isodose) is left out instead: its text stands alone.
public enum EvidenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The case file could not be read again (moved, changed, damaged since the audit).
    case unreadableCase(file: String, reason: String)
    /// The case's bytes are no longer the ones audited: pictures of them would not show the findings.
    case caseChanged(file: String, auditedHash: String, foundHash: String?)
    /// A figure could not be made from readable facts (an image larger than PNG allows, say).
    case drawingFailed(file: String, check: String, reason: ErrorReason)

    public var code: String {
        switch self {
        case .unreadableCase: "evidence.unreadable_case"
        case .caseChanged: "evidence.case_changed"
        case .drawingFailed: "evidence.drawing_failed"
        }
    }

    public var description: String {
        switch self {
        case let .unreadableCase(file, reason): "\(file): cannot be read for the audit evidence: \(reason)"
        case let .caseChanged(file, audited, found):
            "\(file): its case hash is now \(found ?? "unknown"), not the audited \(audited): the evidence would not show what the audit found"
        case let .drawingFailed(file, check, reason): "\(file): the \(check) evidence could not be drawn: \(reason)"
        }
    }
}

extension EvidenceError: CodedError {}

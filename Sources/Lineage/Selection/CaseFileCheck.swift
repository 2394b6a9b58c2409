import Audit
import DoseCase
import Foundation

/// Is each case file still the case a version froze? The one answer `verify` and every pinned
/// command share: a file that is gone is missing (not "changed"), one that reads differently says
/// which arrays moved, one that cannot be read says why.
public enum CaseFileCheck {
    /// A case to look at: the id, the case the version froze, and where its record says it lies.
    public struct Expected: Sendable {
        public let caseId: String
        public let frozen: DatasetVersion.Case
        /// As the record spells it (workspace-relative or absolute; `ARCHIVE!member`).
        public let recordedPath: String
        public let location: CaseLocation

        public init(caseId: String, frozen: DatasetVersion.Case, recordedPath: String, location: CaseLocation) {
            self.caseId = caseId
            self.frozen = frozen
            self.recordedPath = recordedPath
            self.location = location
        }
    }

    public enum Outcome: Sendable, Equatable {
        case intact
        /// The file (or the archive holding the member, or the member) is not there.
        case missing
        /// It reads as another case; `differences` names the arrays (and metadata) that moved.
        case changed(differences: String)
        case unreadable(reason: String)
    }

    /// The outcome for each case, in the order given, reading through the hash cache as `cache` allows.
    public static func check(_ cases: [Expected], cache: Auditor.HashCacheUse, workers: Int,
                             progress: @escaping @Sendable (AuditProgress) -> Void = { _ in }) async -> [Outcome] {
        let present = cases.map { FileManager.default.fileExists(atPath: $0.location.containingFile) }
        let readings = await Auditor.identify(zip(cases, present).filter(\.1).map(\.0.location), workers: workers, cache: cache, progress: progress)
        return zip(cases, present).map { item, isPresent in
            guard isPresent else { return .missing }
            switch readings[item.location] {
            case let .identified(identity)?:
                return identity.caseHash == item.frozen.caseHash ? .intact : .changed(differences: differences(item.frozen, identity))
            case let .unreadable(reason)?:
                return reason.contains("not found in its archive") ? .missing : .unreadable(reason: reason)
            case nil:
                return .unreadable(reason: "it was not read")
            }
        }
    }

    /// Which arrays (and whether the metadata) differ, as a physicist would want to hear it.
    static func differences(_ frozen: DatasetVersion.Case, _ now: CaseIdentity) -> String {
        var parts: [String] = []
        for key in Set(frozen.arrays.keys).union(now.arrays.keys).sorted() {
            switch (frozen.arrays[key], now.arrays[key]) {
            case let (old?, new?) where old != new:
                parts.append(old.shape != new.shape || old.dtype != new.dtype
                    ? "\(key) \(old.dtype)\(old.shape) → \(new.dtype)\(new.shape)" : "\(key) values differ")
            case (nil, _?): parts.append("\(key) added")
            case (_?, nil): parts.append("\(key) removed")
            default: break
            }
        }
        if frozen.metadataHash != now.metadataSHA256 { parts.append("metadata differs") }
        return parts.isEmpty ? "case hash differs" : parts.joined(separator: ", ")
    }
}

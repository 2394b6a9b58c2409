import Support
import DoseCase
import Foundation
import Lineage

/// Dataset versions made of synthetic cases (no files behind them), for split tests: fast, and
/// shaped at will — any number of cases, plan types, institutions, PTV70 volumes, patient groups.
public enum SyntheticDataset {
    /// A synthetic case: its hash is derived from its id (and `version`, to model a changed file).
    public static func syntheticCase(_ id: String, _ planType: String, _ institution: String, volumeCC: Double, version: Int = 0) -> DatasetVersion.Case {
        DatasetVersion.Case(caseId: id, institution: institution, formatVersion: "2.4", planType: planType, ptv70VolumeCC: volumeCC,
                            auditStatus: "pass", caseHash: SHA256Hex.of(Array("\(id) \(version)".utf8)), arrays: [:], metadataHash: nil,
                            inclusion: nil)
    }

    /// `count` cases over plan types and institutions, volumes spread over 30–90 cc.
    public static func cohort(_ count: Int, institutions: [String], prefix: String = "case") -> [DatasetVersion.Case] {
        let planTypes = ["single_rx", "sib_2level", "sib_3level"]
        return (0..<count).map { index in
            syntheticCase(String(format: "%@_%04d", prefix, index), planTypes[index % 3], institutions[(index / 3) % institutions.count],
                          volumeCC: 30 + Double((index * 37) % 61))
        }
    }

    /// Writes a dataset version (and its audit, with `groups` as `dataset.duplicates` findings) and returns its id.
    @discardableResult
    public static func freeze(in workspace: Workspace, _ cases: [DatasetVersion.Case], groups: [[String]] = []) throws -> String {
        let groupOf = Dictionary(groups.enumerated().flatMap { index, ids in ids.map { ($0, "g\(index)") } }, uniquingKeysWith: { a, _ in a })
        let audit = JSONValue.object(["cases": .array(cases.map { entry in
            .object(["file": .string("cohort/\(entry.caseId).npz"), "caseHash": .string(entry.caseHash),
                     "findings": .array(groupOf[entry.caseId].map { group in
                         [.object(["check": .string("dataset.duplicates"), "measured": .object(["group": .string(group)])])]
                     } ?? [])])
        })])
        let auditBytes = audit.canonicalUTF8
        let identity = DatasetVersion.Identity(cases: cases.sorted { $0.caseId < $1.caseId }, excluded: [],
                                               auditDigest: try AuditIdentity.digest(ofReport: auditBytes, path: "synthetic audit"))
        let id = try DatasetVersion.id(of: identity)
        let context = DatasetVersion.Context(
            createdAt: "2026-11-27T00:00:00Z", parent: nil, tool: .current, inputs: ["cohort"], institutionSource: "parent-folder",
            files: cases.map { .init(caseId: $0.caseId, path: "cohort/\($0.caseId).npz", role: .kept) },
            audit: .init(report: "audits/\(id).json", reportSHA256: SHA256Hex.of(auditBytes), junit: "audits/\(id).junit.xml",
                         junitSHA256: SHA256Hex.of([]), catalogVersion: "2", policySHA256: String(repeating: "0", count: 64), policySource: nil))
        let revision = try DatasetRevision(id: id, revision: 1, dataset: DatasetVersion(identity: identity, context: context))
        let lock = try workspace.lock(.exclusive)
        try workspace.commit([("audits/\(id).json", auditBytes), ("audits/\(id).junit.xml", []), (revision.fileName, revision.envelope.bytes)])
        withExtendedLifetime(lock) {}
        return id
    }

}

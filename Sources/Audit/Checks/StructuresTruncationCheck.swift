import DoseCase
import Dosimetry

/// `structures.truncation`: a structure cut by the crop has a large share of its voxels on a face
/// of the volume; its DVH then describes part of the organ (spec, "Known defects").
public struct StructuresTruncationCheck: CaseCheck {
    public static let id = "structures.truncation"
    /// Share of a structure's voxels on one face above which it counts as cut.
    public static let faceShareLimit = 0.05
    /// Structures whose truncation changes a clinical verdict.
    public static let critical: Set<String> = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4,
                                               StructureChannel.rectum, StructureChannel.bladder]

    public let definition = CheckDefinition(
        id: id, purpose: "no structure cut by the crop (voxels on a volume face)",
        severityRule: "warning above 5 % of a PTV's, the rectum's or the bladder's voxels on one face; info for other structures",
        arraysRead: ["masks"], measures: ["structure", "faceShare", "face", "voxelsOnFace"],
        thresholds: ["faceShareLimit": faceShareLimit])

    public init() {}

    /// The face (index into `StructureGeometry.faceNames`) holding most of the structure's
    /// voxels, when that share exceeds `faceShareLimit`; nil for a structure the crop did not cut.
    public static func cutFace(_ geometry: StructureGeometry, faceShareLimit: Double) -> Int? {
        guard geometry.voxels > 0, geometry.largestFaceShare > faceShareLimit else { return nil }
        return geometry.faceContacts.indices.max { geometry.faceContacts[$0] < geometry.faceContacts[$1] }
    }

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        facts.channels.channels.compactMap { channel in
            guard let geometry = facts.structures[channel.name]?.geometry,
                  let face = Self.cutFace(geometry, faceShareLimit: limits["faceShareLimit"]) else { return nil }
            let share = geometry.largestFaceShare
            return finding(Self.critical.contains(channel.name) ? .warning : .info,
                           "\(channel.name): \(text(share * 100)) % of its voxels lie on the \(StructureGeometry.faceNames[face]) face: cut by the crop",
                           ["structure": .text(channel.name), "faceShare": .number(rounded(share)),
                            "face": .text(StructureGeometry.faceNames[face]), "voxelsOnFace": .integer(geometry.faceContacts[face])])
        }
    }
}

/// One channel of `masks` / `masks_sdf`: its index and the structure it holds.
public struct StructureChannel: Sendable, Hashable, Codable {
    public let index: Int
    public let name: String

    public init(index: Int, name: String) {
        self.index = index
        self.name = name
    }

    /// Whether the pipeline requires this structure (spec, "Structure channels").
    public var requirement: Requirement { Self.standardRequirements[name] ?? .optional }

    public enum Requirement: String, Sendable, Codable {
        case required, recommended, optional
    }

    public static let ptv70 = "PTV70", ptv56 = "PTV56", prostate = "Prostate", rectum = "Rectum"
    public static let bladder = "Bladder", femurLeft = "Femur_L", femurRight = "Femur_R", bowel = "Bowel"
    public static let ptv50_4 = "PTV50.4"

    /// The pipeline's channel order (spec, "Structure channels"): v2.2/v2.3 carry the first 8,
    /// v2.4 all 9.
    public static let standardOrder = [ptv70, ptv56, prostate, rectum, bladder, femurLeft, femurRight, bowel, ptv50_4]

    static let standardRequirements: [String: Requirement] = [
        ptv70: .required, ptv56: .optional, prostate: .required, rectum: .required, bladder: .required,
        femurLeft: .recommended, femurRight: .recommended, bowel: .recommended, ptv50_4: .optional,
    ]
}

import Audit
import DoseCase

/// A region outlined on every panel of an evidence figure: its legend label, colour, and how it
/// is sampled on a plane (nearest voxel for masks; bilinear for dose, so an isodose line follows
/// the colourwash).
struct EvidenceOutline {
    let label: String
    let colour: RGBColour
    let sample: (PlaneSampler) throws -> DisplaySlice<UInt8>

    /// A structure's mask, read in place in the case's mask stack.
    static func structure(_ label: String, _ structure: StructureFacts, colour: RGBColour) -> EvidenceOutline {
        EvidenceOutline(label: label, colour: colour) { sampler in try structure.withMask { try sampler.nearest($0, name: label) } }
    }

    /// A mask made for the figure or by a check (an eroded PTV, the PTV union), on the grid.
    static func mask(_ label: String, _ elements: [UInt8], colour: RGBColour) -> EvidenceOutline {
        EvidenceOutline(label: label, colour: colour) { sampler in try elements.withUnsafeBufferPointer { try sampler.nearest($0, name: label) } }
    }

    /// Where `volume` (stored units) is at least `level`: an isodose line, the body (CT above air).
    static func level(_ label: String, _ volume: Volume<Float>, atLeast level: Float, colour: RGBColour) -> EvidenceOutline {
        EvidenceOutline(label: label, colour: colour) { sampler in try sampler.bilinear(volume, name: label).map { $0 >= level ? UInt8(1) : 0 } }
    }

    /// Where `values` on the grid are below zero (a signed distance's inside), nearest voxel as the
    /// mask it is compared with.
    static func negative(_ label: String, _ values: [Float], colour: RGBColour) -> EvidenceOutline {
        EvidenceOutline(label: label, colour: colour) { sampler in
            try values.withUnsafeBufferPointer { try sampler.nearest($0, name: label) }.map { $0 < 0 ? UInt8(1) : 0 }
        }
    }
}

/// Colours of outlines and markers over grey CT and viridis dose: bright and apart in hue, each
/// named in the figure's legend.
enum EvidenceColours {
    static let red = RGBColour(hex: 0xFF2D2D)
    static let white = RGBColour(hex: 0xFFFFFF)
    static let cyan = RGBColour(hex: 0x00E5FF)
    static let skyBlue = RGBColour(hex: 0x56B4E9)
    static let orange = RGBColour(hex: 0xE69F00)
    static let yellow = RGBColour(hex: 0xF0E442)
    static let magenta = RGBColour(hex: 0xFF4FD8)
}

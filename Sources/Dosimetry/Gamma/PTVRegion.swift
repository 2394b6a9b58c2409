import DoseCase
import NumpyFormat

/// The region of the PTV-region gamma (spec, dosimetry.md "PTV-region gamma"): the union of the
/// present PTVs, grown by a 5 mm margin.
public enum PTVRegion: String, Sendable, Hashable, Codable, CaseIterable {
    /// The old definition, so numbers match published ones: one binary dilation by a cuboid of
    /// half-widths `max(1, round(5 mm / spacing))` voxels (Python's round: half to even, 2.5 → 2).
    case cuboid
    /// A true 5 mm margin: voxels within 5 mm (Euclidean, in mm) of the union.
    case euclidean

    public static let marginMM = 5.0
    public static let ptvNames = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4]

    /// The region on the masks' grid; nil when no PTV is present.
    public func mask(masks: ChannelStack<UInt8>, spacingMM: [Double]) throws -> Volume<UInt8>? {
        let shape = masks.shape
        var union = [UInt8](repeating: 0, count: shape.voxelCount)
        var present = false
        for name in Self.ptvNames {
            guard let index = masks.catalog.index(of: name) else { continue }
            let base = index * shape.voxelCount
            for voxel in 0..<shape.voxelCount where masks.elements[base + voxel] != 0 {
                union[voxel] = 1
                present = true
            }
        }
        guard present else { return nil }
        let ptvs = try Volume(shape: shape, elements: union)
        switch self {
        case .euclidean:
            return try Morphology.dilate(ptvs, spacingMM: spacingMM, radiusMM: Self.marginMM)
        case .cuboid:
            let halfWidths = spacingMM.map { max(1, Int((Self.marginMM / $0).rounded(.toNearestOrEven))) }
            return try Self.dilate(ptvs, cuboidHalfWidths: halfWidths)
        }
    }

    /// Binary dilation by a (2h+1)-voxel cuboid: separable, one running maximum per axis.
    static func dilate(_ mask: Volume<UInt8>, cuboidHalfWidths halfWidths: [Int]) throws -> Volume<UInt8> {
        let dimensions = mask.shape.dimensions
        var values = mask.elements
        for axis in 0..<3 {
            let length = dimensions[axis], step = dimensions[(axis + 1)...].reduce(1, *)
            let outer = dimensions[..<axis].reduce(1, *), halfWidth = halfWidths[axis]
            var line = [UInt8](repeating: 0, count: length), grown = line
            for lineIndex in 0..<(outer * step) {
                let base = (lineIndex / step) * length * step + lineIndex % step
                for position in 0..<length { line[position] = values[base + position * step] }
                // The distance to the nearest set voxel on each side, in one pass each way.
                var sinceSet = Int.max / 2
                for position in 0..<length {
                    sinceSet = line[position] != 0 ? 0 : sinceSet + 1
                    grown[position] = sinceSet <= halfWidth ? 1 : 0
                }
                sinceSet = Int.max / 2
                for position in stride(from: length - 1, through: 0, by: -1) {
                    sinceSet = line[position] != 0 ? 0 : sinceSet + 1
                    if sinceSet <= halfWidth { grown[position] = 1 }
                }
                for position in 0..<length { values[base + position * step] = grown[position] }
            }
        }
        return try Volume(shape: mask.shape, elements: values)
    }
}

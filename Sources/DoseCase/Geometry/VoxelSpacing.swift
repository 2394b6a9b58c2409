import NumpyFormat

/// Voxel size in millimetres along (Y, X, Z), and where it came from.
public struct VoxelSpacing: Sendable, Hashable, Codable {
    /// Where the spacing was read, in the spec's fallback order.
    public enum Source: String, Sendable, Codable {
        case voxelSpacingMM = "voxel_spacing_mm"
        case targetSpacingMM = "target_spacing_mm"
        /// Neither key: the spec's fallback (1, 1, 2) mm, a guess.
        case fallback
    }

    public let yMM: Double
    public let xMM: Double
    public let zMM: Double
    public let source: Source

    public init(yMM: Double, xMM: Double, zMM: Double, source: Source) {
        self.yMM = yMM
        self.xMM = xMM
        self.zMM = zMM
        self.source = source
    }

    public var isGuessed: Bool { source == .fallback }
    public var voxelVolumeCC: Double { yMM * xMM * zMM / 1000 }
    public var millimetres: [Double] { [yMM, xMM, zMM] }

    public static let fallback = VoxelSpacing(yMM: 1, xMM: 1, zMM: 2, source: .fallback)

    /// `voxel_spacing_mm` → `target_spacing_mm` → (1, 1, 2) mm (spec, "metadata"). A key whose
    /// value is not three positive numbers is skipped like a missing one.
    public static func from(metadata: MetadataValue?) -> VoxelSpacing {
        for source in [Source.voxelSpacingMM, .targetSpacingMM] {
            guard let values = metadata?[source.rawValue]?.asArray, values.count == 3 else { continue }
            let numbers = values.compactMap(\.asDouble)
            guard numbers.count == 3, numbers.allSatisfy({ $0 > 0 && $0.isFinite }) else { continue }
            return VoxelSpacing(yMM: numbers[0], xMM: numbers[1], zMM: numbers[2], source: source)
        }
        return fallback
    }
}

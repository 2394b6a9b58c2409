/// How big the generated cases are. `small` is for tests and the demo; `full` matches the real
/// pipeline's v2.3/v2.4 crops (300×300 in-plane at 1 mm) for benchmarks.
public struct PhantomSize: Sendable, Hashable {
    public let name: String
    public let rows: Int
    public let columns: Int
    /// Voxel size along (Y, X, Z) in mm.
    public let spacingMM: [Double]
    /// v2.3/v2.4 crops span every structure ± `zMarginMM`, with at least this many slices.
    public let minimumSlices: Int
    public let zMarginMM: Double
    /// v2.2 used one fixed grid for every case; the phantoms keep that idea at this size's
    /// spacing (the real 512×512×256 grid at 1×1×2 mm would be 3 GB per case).
    public let fixedGridSlices: Int

    public init(name: String, rows: Int, columns: Int, spacingMM: [Double], minimumSlices: Int,
                zMarginMM: Double, fixedGridSlices: Int) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.spacingMM = spacingMM
        self.minimumSlices = minimumSlices
        self.zMarginMM = zMarginMM
        self.fixedGridSlices = fixedGridSlices
    }

    /// ≈112×112×72 at 2×2×2.5 mm: about 0.9 M voxels.
    public static let small = PhantomSize(name: "small", rows: 112, columns: 112, spacingMM: [2, 2, 2.5],
                                          minimumSlices: 72, zMarginMM: 15, fixedGridSlices: 80)
    /// 300×300×144 at 1×1×2.5 mm: about 13 M voxels, ≈0.7 GB of arrays per case.
    public static let full = PhantomSize(name: "full", rows: 300, columns: 300, spacingMM: [1, 1, 2.5],
                                         minimumSlices: 144, zMarginMM: 30, fixedGridSlices: 144)

    /// The sizes by name, as `phantoms --size` offers them.
    public enum Preset: String, Sendable, CaseIterable {
        case small, full

        public var size: PhantomSize { self == .small ? .small : .full }
    }
}

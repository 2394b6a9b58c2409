import DoseCase
import Dosimetry

/// The structure channels of one case on its grid: binary masks and the pipeline's clipped
/// signed distances (spec, "Keys" and "Structure channels"), in the standard channel order.
struct PhantomStructures: Sendable {
    static let sdfClipMM = 50.0

    var masks: [[UInt8]]
    var signedDistances: [[Float]]

    /// Gaps that keep each lower dose level's PTV out of the higher levels' fall-off, so the
    /// plan can meet every PTV's Dmax limit (spec, dosimetry.md acceptance table). The odd tenths
    /// keep thresholds off the exact voxel-centre distances of 2 and 2.5 mm grids.
    static let ptv56GapFromPTV70MM = 6.3
    static let ptv50GapFromPTV70MM = 8.3
    static let ptv50GapFromPTV56MM = 5.3
    /// Bowel loops stay clear of the high-dose targets (bowel Dmax ≤ 52 Gy).
    static let bowelGapFromPTV70MM = 15.3
    static let bowelGapFromPTV56MM = 12.3

    /// Builds the recipe's channels (8 or 9) for its plan type; an absent structure's signed
    /// distance is the version's absent value everywhere (+1 up to v2.3, 0 in v2.4).
    static func build(anatomy: PelvisAnatomy, grid: PhantomGrid, recipe: PhantomRecipe) -> PhantomStructures {
        let absentValue = recipe.absentSDFValue
        let count = grid.shape.voxelCount
        let empty = [UInt8](repeating: 0, count: count)
        func signed(_ mask: [UInt8]) -> [Float] {
            guard mask.contains(1), let volume = try? Volume(shape: grid.shape, elements: mask) else {
                return [Float](repeating: absentValue, count: count)
            }
            return DistanceTransform.clippedSignedDistance(mask: volume, spacingMM: grid.spacingMM, clipMM: sdfClipMM)
        }
        func farther(_ sdf: [Float], than gapMM: Double) -> (Int) -> Bool {
            let threshold = Float(gapMM / sdfClipMM)
            return { sdf[$0] > threshold }
        }
        func minus(_ mask: [UInt8], _ keep: (Int) -> Bool) -> [UInt8] {
            var result = mask
            for index in 0..<count where result[index] != 0 && !keep(index) { result[index] = 0 }
            return result
        }

        let ptv70 = grid.rasterize([anatomy.ptv70])
        let ptv70SDF = signed(ptv70)
        let prostate = grid.rasterize([anatomy.prostate])
        let outsideProstate: (Int) -> Bool = { prostate[$0] == 0 }

        let hasPTV56 = recipe.carriesPTV56
        let ptv56 = hasPTV56 ? minus(grid.rasterize(anatomy.seminalVesicleTarget), farther(ptv70SDF, than: ptv56GapFromPTV70MM)) : empty
        let ptv56SDF = signed(ptv56)
        var ptv50 = empty
        if recipe.carriesPTV50_4 {
            let awayFrom70 = farther(ptv70SDF, than: ptv50GapFromPTV70MM), awayFrom56 = farther(ptv56SDF, than: ptv50GapFromPTV56MM)
            ptv50 = minus(grid.rasterize(anatomy.nodalTarget)) { awayFrom70($0) && (!hasPTV56 || awayFrom56($0)) }
        }
        let rectum = minus(grid.rasterize(anatomy.rectum), outsideProstate)
        let bladder = minus(grid.rasterize([anatomy.bladder]), outsideProstate)
        let bowelAway70 = farther(ptv70SDF, than: bowelGapFromPTV70MM), bowelAway56 = farther(ptv56SDF, than: bowelGapFromPTV56MM)
        let bowel = minus(grid.rasterize(anatomy.bowel)) { bladder[$0] == 0 && bowelAway70($0) && (!hasPTV56 || bowelAway56($0)) }

        var masks = [ptv70, ptv56, prostate, rectum, bladder, grid.rasterize(anatomy.femurLeft), grid.rasterize(anatomy.femurRight), bowel]
        if recipe.channelCount > 8 { masks.append(ptv50) }
        var distances = [ptv70SDF, ptv56SDF]
        for channel in 2..<masks.count { distances.append(signed(masks[channel])) }
        return PhantomStructures(masks: masks, signedDistances: distances)
    }

    func mask(_ name: String) -> [UInt8]? {
        StructureChannel.standardOrder.firstIndex(of: name).flatMap { $0 < masks.count ? masks[$0] : nil }
    }

    func signedDistance(_ name: String) -> [Float]? {
        StructureChannel.standardOrder.firstIndex(of: name).flatMap { $0 < signedDistances.count ? signedDistances[$0] : nil }
    }
}

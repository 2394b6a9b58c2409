import Support
import Dispatch
import Dosimetry

/// The CT of a phantom: tissue values in Hounsfield units painted from the anatomy's solids, plus
/// Gaussian noise, stored as the pipeline stores CT (spec, "Keys": `clip(HU, −1000, 3000)/4000 + 0.5`).
enum PhantomCT {
    /// Typical tissue values (HU).
    static let air = -1000.0, fat = -90.0, muscle = 40.0, urine = 8.0, prostate = 42.0, vesicle = 35.0
    static let bowelWall = 30.0, rectalWall = 25.0, gas = -900.0, cortex = 1050.0, marrow = 250.0
    /// Share of the body's outline (by normalised radius) that is subcutaneous fat.
    static let fatLayerStart = 0.9
    /// Where a bone's normalised radius turns from marrow to cortex.
    static let cortexStart = 0.8
    static let noiseSigmaHU = 12.0
    /// Scanners whose stored pixels are HU + 1024 (RescaleIntercept −1024); the v2.2 pipeline
    /// skipped the rescale, leaving those raw values in its CT (spec, "Known defects").
    static let rawPixelOffset = 1024.0

    static func hounsfieldUnits(anatomy: PelvisAnatomy, grid: PhantomGrid, noiseSeed: UInt64) -> [Double] {
        var hu = [Double](repeating: air, count: grid.shape.voxelCount)
        func paint(_ solids: [Solid], _ value: (Double) -> Double?) {
            for solid in solids {
                grid.forEachVoxel(in: solid.bounds) { offset, point in
                    let radius = solid.normalizedRadius(at: point)
                    if radius < 1, let tissue = value(radius) { hu[offset] = tissue }
                }
            }
        }
        paint([anatomy.body]) { $0 > fatLayerStart ? fat : muscle }
        paint([anatomy.bladder]) { _ in urine }
        paint(anatomy.seminalVesicles) { _ in vesicle }
        paint([anatomy.prostate]) { _ in prostate }
        paint(anatomy.rectum) { _ in rectalWall }
        paint(anatomy.rectalGas) { _ in gas }
        paint(anatomy.bowel) { _ in bowelWall }
        paint(anatomy.bowelGas) { _ in gas }
        // Cortex of every part first, then marrow, so a joint between parts stays marrow inside.
        let bones = [anatomy.femurLeft, anatomy.femurRight, anatomy.pelvicBones]
        for bone in bones { paint(bone) { _ in cortex } }
        for bone in bones { paint(bone) { $0 < cortexStart ? marrow : nil } }
        addNoise(to: &hu, grid: grid, seed: noiseSeed)
        return hu
    }

    /// Adds N(0, σ²) noise; each row draws from its own generator stream, so two workers give the
    /// same numbers as one.
    private static func addNoise(to hu: inout [Double], grid: PhantomGrid, seed: UInt64) {
        let shape = grid.shape
        let rowLength = shape.columns * shape.slices
        hu.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let values = buffer
            DispatchQueue.concurrentPerform(iterations: 2) { worker in
                for row in stride(from: worker, to: shape.rows, by: 2) {
                    var generator = SeededGenerator(seed: seed, stream: PhantomStream.noiseRows + UInt64(row))
                    for offset in (row * rowLength)..<((row + 1) * rowLength) {
                        values[offset] += noiseSigmaHU * generator.nextGaussian()
                    }
                }
            }
        }
    }

    /// The stored `ct` array: `clip(HU, −1000, 3000)/4000 + 0.5` as float32, or the same formula
    /// applied to raw stored pixels (HU + 1024) when `rawPixels` reproduces the v2.2 defect.
    static func normalized(_ hu: [Double], rawPixels: Bool) -> [Float] {
        let offset = rawPixels ? rawPixelOffset : 0
        return hu.map { Float(min(max($0 + offset, -1000), 3000) / 4000 + 0.5) }
    }
}

import Support
import Dosimetry
import Engine
import XCTest

/// Training patches: seeded, half centred on the high-dose region, zero-padded, and flipped only
/// left-right with the femur channels swapped so Femur_L stays the patient's left.
final class PatchSamplerTests: XCTestCase {
    /// A 6×8×5 case: CT = column + 1, Femur_L on columns ≥ 4 (patient left), Femur_R on columns < 4,
    /// dose rising with row and slice, above 10 % only in rows ≥ 2.
    private func volume() throws -> PatchSampler.Volume {
        let (rows, columns, slices) = (6, 8, 5), count = 6 * 8 * 5
        var input = [Float](repeating: 0, count: 8 * count), dose = [Float](repeating: 0, count: count)
        for y in 0..<rows { for x in 0..<columns { for z in 0..<slices {
            let voxel = (y * columns + x) * slices + z
            input[voxel] = Float(x + 1)
            input[6 * count + voxel] = x >= 4 ? 1 : 0
            input[7 * count + voxel] = x < 4 ? 1 : 0
            dose[voxel] = Float(y) * 0.06 + Float(z) * 0.001
        } } }
        return try PatchSampler.Volume(input: Tensor(shape: [1, 8, rows, columns, slices], elements: input),
                                       dose: Tensor(shape: [1, 1, rows, columns, slices], elements: dose))
    }

    func testSameSeedSamePatchesAndHalfTheCentresInTheHighDoseRegion() throws {
        let sampler = try PatchSampler(patch: [3, 4, 3], maxShift: 0)
        let case_ = try volume()
        func draws(seed: UInt64) throws -> [PatchSampler.Sample] {
            var generator = SeededGenerator(seed: seed)
            return try (0..<40).map { try sampler.sample(case_, index: $0, generator: &generator) }
        }
        let first = try draws(seed: 1)
        XCTAssertEqual(first, try draws(seed: 1))
        XCTAssertNotEqual(first, try draws(seed: 2))
        for (index, sample) in first.enumerated() {
            XCTAssertEqual(sample.highDoseCentre, index % 2 == 0)
            let centreRow = sample.start[0] + 1
            if sample.highDoseCentre { XCTAssertGreaterThanOrEqual(centreRow, 2, "dose at the centre above 10 %") }
        }
        XCTAssertTrue(first.contains { !$0.highDoseCentre && $0.start[0] + 1 < 2 }, "uniform centres reach the low-dose rows")
    }

    func testFlipsOnlyLeftRightAndKeepsTheLeftFemurOnThePatientsLeft() throws {
        let sampler = try PatchSampler(patch: [4, 6, 4], maxShift: 2)
        let case_ = try volume()
        var generator = SeededGenerator(seed: 3)
        var flips = 0, plain = 0
        for index in 0..<60 {
            let sample = try sampler.sample(case_, index: index, generator: &generator)
            sample.flipped ? (flips += 1) : (plain += 1)
            let count = 4 * 6 * 4
            func value(_ channel: Int, _ d: Int, _ h: Int, _ w: Int) -> Float { sample.input.elements[channel * count + (d * 6 + h) * 4 + w] }
            var leftColumns: [Int] = [], rightColumns: [Int] = []
            for d in 0..<4 { for h in 0..<6 { for w in 0..<4 where value(0, d, h, w) > 0 {
                if value(6, d, h, w) > 0 { leftColumns.append(h) }
                if value(7, d, h, w) > 0 { rightColumns.append(h) }
                // CT columns run backwards exactly when flipped; rows and slices never do.
                if h > 0, value(0, d, h - 1, w) > 0 {
                    XCTAssertEqual(value(0, d, h, w) - value(0, d, h - 1, w), sample.flipped ? -1 : 1)
                }
                let dose = sample.dose.elements[(d * 6 + h) * 4 + w]
                if d > 0, value(0, d - 1, h, w) > 0 { XCTAssertGreaterThan(dose, sample.dose.elements[((d - 1) * 6 + h) * 4 + w], "no AP flip") }
                if w > 0, value(0, d, h, w - 1) > 0 { XCTAssertGreaterThan(dose, sample.dose.elements[(d * 6 + h) * 4 + w - 1], "no Z flip") }
            } } }
            if let left = leftColumns.min(), let right = rightColumns.max() {
                XCTAssertGreaterThan(left, right, "draw \(index) (flipped: \(sample.flipped)): Femur_L must lie at larger columns than Femur_R")
            }
        }
        XCTAssertGreaterThan(flips, 15)
        XCTAssertGreaterThan(plain, 15)
    }

    func testPatchesLargerThanTheVolumeAreZeroPadded() throws {
        let sampler = try PatchSampler(patch: [8, 10, 7], maxShift: 0)
        var generator = SeededGenerator(seed: 4)
        let sample = try sampler.sample(try volume(), index: 1, generator: &generator)
        XCTAssertEqual(sample.input.shape, [1, 8, 8, 10, 7])
        let ctVoxels = sample.input.elements.prefix(8 * 10 * 7).filter { $0 > 0 }.count
        let overlap = zip(zip(sample.start, [8, 10, 7]), [6, 8, 5]).map { axis, extent in max(0, min(extent, axis.0 + axis.1) - max(0, axis.0)) }
        XCTAssertEqual(ctVoxels, overlap.reduce(1, *), "the case voxels the patch covers, zeros around")
        XCTAssertLessThan(ctVoxels, 8 * 10 * 7)
        XCTAssertThrowsError(try PatchSampler(patch: [8, 8], maxShift: 0)) {
            XCTAssertEqual(($0 as? EngineError)?.code, "engine.invalid_setting")
        }
    }
}

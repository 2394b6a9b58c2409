import Support
import DoseCase
import Dosimetry
import Foundation
import NumpyFormat

/// A stand-in for a dose-prediction model's output, for trying `evaluate` and benchmarking it:
/// the case's dose moved by about a millimetre and scaled by a smooth error field that is
/// largest in the intermediate-dose bath and small on the target — the errors real predictions
/// show (fall-off a little off, the low-dose spread a few per cent wrong, the PTV nearly right).
/// Deterministic in the seed; `severity` 0 gives the dose itself.
public enum SyntheticPrediction {
    /// The prediction's stored (normalised) dose on the case's grid.
    public static func dose(from reference: Volume<Float>, spacingMM: [Double], seed: UInt64, severity: Double = 1) -> [Float] {
        var random = SeededGenerator(seed: seed, stream: 0x9ED1)
        let shape = reference.shape
        // An offset of up to ~0.3 mm per axis (in voxels), and an additive field of ±(2.5…3.5) % of the
        // prescription with a wavelength of a few centimetres.
        let shiftVoxels = (0..<3).map { axis in severity * random.nextUniform(-0.3, 0.3) / spacingMM[axis] }
        let amplitude = severity * random.nextUniform(0.025, 0.035)
        let wavelengthsMM = (0..<3).map { _ in random.nextUniform(40, 90) }
        let phases = (0..<3).map { _ in random.nextUniform(0, 2 * .pi) }
        let bias = severity * random.nextUniform(-0.015, 0.015)
        var result = [Float](repeating: 0, count: shape.voxelCount)
        reference.elements.withUnsafeBufferPointer { dose in
            for row in 0..<shape.rows {
                let fieldRow = sin(2 * .pi * Double(row) * spacingMM[0] / wavelengthsMM[0] + phases[0])
                for column in 0..<shape.columns {
                    let fieldColumn = cos(2 * .pi * Double(column) * spacingMM[1] / wavelengthsMM[1] + phases[1])
                    for slice in 0..<shape.slices {
                        let fieldSlice = sin(2 * .pi * Double(slice) * spacingMM[2] / wavelengthsMM[2] + phases[2])
                        let moved = sample(dose, shape: shape, at: Double(row) - shiftVoxels[0], Double(column) - shiftVoxels[1],
                                           Double(slice) - shiftVoxels[2])
                        // Full error from 10 % to 60 % of the prescription, a fifth of it on the target, none outside the body.
                        let taper = moved < 0.1 ? moved / 0.1 : moved < 0.6 ? 1 : max(0.2, 1 - (moved - 0.6) / 0.4 * 0.8)
                        let error = amplitude * taper * (fieldRow * fieldColumn + 0.5 * fieldSlice) / 1.5
                        result[shape.offset(row: row, column: column, slice: slice)] = Float(max(0, moved * (1 + bias) + error))
                    }
                }
            }
        }
        return result
    }

    /// Writes `<caseId>_pred.npz` (key `dose`, float32) in `directory`, as the PyTorch pipeline does.
    public static func write(dose: [Float], shape: VolumeShape, caseId: String, to directory: String) throws -> String {
        if let problem = CaseIdName.problem(with: caseId) {
            throw DoseCaseError.unsafeCaseId(caseId: caseId, problem: problem)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/\(caseId)_pred.npz"
        try NPZWriter.write([("dose", try NPYArray(shape: shape.dimensions, elements: dose))], to: path)
        return path
    }

    /// What `writePredictions` wrote, and the case files it would not name a file after.
    public struct Batch: Sendable {
        public var written: [String] = []
        /// The case file and why: its case id is not a plain file name.
        public var refused: [(file: String, reason: String)] = []
    }

    /// Writes one prediction per case id of the case files (sorted by case id; a case id held by
    /// two files, an exact duplicate, gets one), each seeded from `seed` and its position. Files
    /// without a readable dose (planted damage) get none; a case whose id cannot name a file is
    /// refused.
    @discardableResult
    public static func writePredictions(forCases files: [String], to directory: String, seed: UInt64, severity: Double = 1) throws -> Batch {
        var byCaseId: [String: DoseCase] = [:]
        var batch = Batch()
        for file in files.sorted() {
            guard let opened = try? DoseCase.open(path: file), byCaseId[opened.caseId] == nil else { continue }
            if let problem = CaseIdName.problem(with: opened.caseId) {
                batch.refused.append((file, "case id \(CaseIdName.quoted(opened.caseId)) cannot name a file: \(problem)"))
                continue
            }
            byCaseId[opened.caseId] = opened
        }
        // One dose in memory at a time: full-size doses are 52 MB each.
        for (index, caseId) in byCaseId.keys.sorted().enumerated() {
            guard let opened = byCaseId[caseId], let reference = try? opened.volume("dose") else { continue }
            let predicted = dose(from: reference, spacingMM: opened.spacing.millimetres, seed: seed &+ UInt64(index), severity: severity)
            batch.written.append(try write(dose: predicted, shape: reference.shape, caseId: caseId, to: directory))
        }
        return batch
    }

    /// Trilinear sample with the position clamped to the grid (edges extend outward). Scalars
    /// only: it runs once per voxel.
    private static func sample(_ dose: UnsafeBufferPointer<Float>, shape: VolumeShape, at row: Double, _ column: Double, _ slice: Double) -> Double {
        func split(_ position: Double, _ count: Int) -> (Int, Int, Double) {
            let clamped = min(max(position, 0), Double(count - 1))
            let lower = Int(clamped)
            return (lower, min(lower + 1, count - 1), clamped - Double(lower))
        }
        let (r0, r1, wr) = split(row, shape.rows), (c0, c1, wc) = split(column, shape.columns), (s0, s1, ws) = split(slice, shape.slices)
        func at(_ r: Int, _ c: Int, _ s: Int) -> Double { Double(dose[shape.offset(row: r, column: c, slice: s)]) }
        let front = (at(r0, c0, s0) * (1 - ws) + at(r0, c0, s1) * ws) * (1 - wc) + (at(r0, c1, s0) * (1 - ws) + at(r0, c1, s1) * ws) * wc
        let back = (at(r1, c0, s0) * (1 - ws) + at(r1, c0, s1) * ws) * (1 - wc) + (at(r1, c1, s0) * (1 - ws) + at(r1, c1, s1) * ws) * wc
        return front * (1 - wr) + back * wr
    }
}

import Support
import Dosimetry
import NumpyFormat

/// MLC leaf positions per arc (`beam{i}_mlc_a`, `beam{i}_mlc_b`: control points × leaf pairs, mm
/// at the isocentre plane), shaped like a VMAT arc sweeping a ≈40 mm target: open leaf pairs
/// follow the target's outline with a smooth per-control-point modulation, the rest stay closed
/// with a 0.5 mm gap.
enum PhantomLeaves {
    static let controlPoints = 90
    static let leafPairs = 60
    static let leafWidthMM = 5.0
    static let closedGapMM = 0.5

    static func arrays(arcs: Int, using g: inout SeededGenerator) throws -> [(key: String, array: NPYArray)] {
        var result: [(key: String, array: NPYArray)] = []
        for arc in 1...arcs {
            let targetRadius = g.nextUniform(35, 45)
            let ripple = RippleField.sample(using: &g)
            var bankA: [Float] = [], bankB: [Float] = []
            for point in 0..<controlPoints {
                for pair in 0..<leafPairs {
                    let leafY = (Double(pair) - Double(leafPairs - 1) / 2) * leafWidthMM
                    let chord = max(0, targetRadius * targetRadius - leafY * leafY).squareRoot()
                    let modulation = 0.8 + 0.4 * ripple.value(at: Point3(y: Double(point) * 5, x: leafY, z: 0))
                    let half = max(closedGapMM / 2, chord * modulation)
                    bankA.append(Float(-half))
                    bankB.append(Float(half))
                }
            }
            result.append(("beam\(arc)_mlc_a", try NPYArray(shape: [controlPoints, leafPairs], elements: bankA)))
            result.append(("beam\(arc)_mlc_b", try NPYArray(shape: [controlPoints, leafPairs], elements: bankB)))
        }
        return result
    }
}

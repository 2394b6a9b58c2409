import DoseCase
import Dosimetry
import Foundation
import NumpyFormat

/// The pipeline's SDF of one full-size structure (300×300×144 at 1×1×2.5 mm): dosecurate's exact
/// EDT against scipy.ndimage.distance_transform_edt on the same ellipsoid, twice (outside, inside).
struct DistanceTransformBenchmark {
    let python: String
    let repeats: Int
    static let shape = VolumeShape(rows: 300, columns: 300, slices: 144)
    static let spacing = [1.0, 1.0, 2.5]

    func run() throws -> (dosecurate: Double, scipy: Double) {
        let shape = Self.shape
        var elements = [UInt8](repeating: 0, count: shape.voxelCount)
        for row in 0..<shape.rows { for column in 0..<shape.columns { for slice in 0..<shape.slices {
            let y = (Double(row) - 150) / 60, x = (Double(column) - 150) / 70, z = (Double(slice) - 72) * 2.5 / 80
            if y * y + x * x + z * z <= 1 { elements[shape.offset(row: row, column: column, slice: slice)] = 1 }
        } } }
        let mask = try Volume(shape: shape, elements: elements)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            let signed = DistanceTransform.signedDistanceMM(mask: mask, spacingMM: Self.spacing)
            precondition(signed.count == shape.voxelCount)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let script = """
        import sys, time, numpy as np
        from scipy import ndimage
        y, x, z = np.meshgrid(*(np.arange(n, dtype=np.float64) for n in (300, 300, 144)), indexing="ij", sparse=True)
        mask = ((y - 150) / 60) ** 2 + ((x - 150) / 70) ** 2 + ((z - 72) * 2.5 / 80) ** 2 <= 1
        best = float("inf")
        for _ in range(int(sys.argv[1])):
            start = time.perf_counter()
            signed = ndimage.distance_transform_edt(~mask, sampling=(1, 1, 2.5)) - ndimage.distance_transform_edt(mask, sampling=(1, 1, 2.5))
            best = min(best, time.perf_counter() - start)
        print(best)
        """
        let scipySeconds = try Subprocess.run(python, ["-c", script, String(repeats)])
        return (best, Double(scipySeconds.trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan)
    }
}

import DoseCase
import Dispatch
import NumpyFormat

/// Exact Euclidean distance transform on anisotropic grids (Felzenszwalb & Huttenlocher, "Distance
/// Transforms of Sampled Functions", 2012): the squared distance is separable, so one linear-time
/// lower-envelope-of-parabolas pass per axis gives exact results in O(voxels).
///
/// Distances are in millimetres between voxel centres, as `scipy.ndimage.distance_transform_edt`
/// with `sampling=spacing` computes them (tests compare against it).
public enum DistanceTransform {
    /// For every voxel, the distance in mm to the nearest voxel where `isFeature` holds (0 at
    /// feature voxels; `+infinity` everywhere when there is no feature voxel).
    public static func distanceMM(shape: VolumeShape, spacingMM: [Double], isFeature: (Int) -> Bool) -> [Double] {
        let count = shape.voxelCount
        var squared = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count { buffer[index] = isFeature(index) ? 0 : .infinity }
            initialized = count
        }
        let dimensions = shape.dimensions
        // Slices are contiguous, so run the slice axis first, then columns, then rows.
        for axis in [2, 1, 0] {
            transformAlong(axis: axis, dimensions: dimensions, spacing: spacingMM[axis], squared: &squared)
        }
        for index in 0..<count { squared[index] = squared[index].squareRoot() }
        return squared
    }

    /// The pipeline's signed distance (spec, `masks_sdf`): distance outside the mask minus
    /// distance inside, in mm, so it is negative exactly on mask voxels.
    public static func signedDistanceMM(mask: Volume<UInt8>, spacingMM: [Double]) -> [Double] {
        signedDistanceMM(shape: mask.shape, spacingMM: spacingMM) { mask.elements[$0] != 0 }
    }

    static func signedDistanceMM(shape: VolumeShape, spacingMM: [Double], isInside: (Int) -> Bool) -> [Double] {
        let outside = distanceMM(shape: shape, spacingMM: spacingMM, isFeature: isInside)
        let inside = distanceMM(shape: shape, spacingMM: spacingMM) { !isInside($0) }
        return zip(outside, inside).map { $0 - $1 }
    }

    /// The pipeline's `masks_sdf` channel (spec, "Keys"): the signed distance clipped to
    /// ±`clipMM` and divided by it, so values lie in [−1, 1] and are negative exactly on the mask.
    /// An empty mask gives +1 everywhere (infinitely far outside).
    ///
    /// Voxels farther than `clipMM` from the mask's bounding box are +1 whatever the mask, so the
    /// transform runs only on that box grown by the clip distance; the values equal a transform of
    /// the whole grid (tests compare both).
    public static func clippedSignedDistance(mask: Volume<UInt8>, spacingMM: [Double], clipMM: Double) -> [Float] {
        let shape = mask.shape
        var result = [Float](repeating: 1, count: shape.voxelCount)
        guard let bounds = VoxelBox.enclosing(mask) else { return result }
        let box = bounds.grown(by: VoxelBox.reach(clipMM, spacingMM: spacingMM, roundingUp: true, extra: 1), within: shape)
        var local: [UInt8] = []
        local.reserveCapacity(box.shape.voxelCount)
        box.forEachVoxel(in: shape) { _, offset in local.append(mask.elements[offset]) }
        let signed = signedDistanceMM(shape: box.shape, spacingMM: spacingMM) { local[$0] != 0 }
        box.forEachVoxel(in: shape) { localOffset, offset in
            result[offset] = Float(min(max(signed[localOffset], -clipMM), clipMM) / clipMM)
        }
        return result
    }

    /// One separable pass: every line along `axis` gets its 1D squared distance transform.
    /// Lines are split between two workers (the machine's cores); each writes disjoint lines.
    private static func transformAlong(axis: Int, dimensions: [Int], spacing: Double, squared: inout [Double]) {
        let length = dimensions[axis]
        let stride = dimensions[(axis + 1)...].reduce(1, *)
        let outer = dimensions[..<axis].reduce(1, *)
        let lines = outer * stride
        let workers = min(2, max(1, lines / 64))
        squared.withUnsafeMutableBufferPointer { values in
            nonisolated(unsafe) let shared = values
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var line = [Double](repeating: 0, count: length)
                var envelope = LowerEnvelope(capacity: length)
                var lineIndex = worker
                while lineIndex < lines {
                    let base = (lineIndex / stride) * length * stride + lineIndex % stride
                    for position in 0..<length { line[position] = shared[base + position * stride] }
                    envelope.transform(&line, spacing: spacing)
                    for position in 0..<length { shared[base + position * stride] = line[position] }
                    lineIndex += workers
                }
            }
        }
    }
}

/// The 1D pass: lower envelope of the parabolas (x - x_p)² + f(p) over finite samples p.
struct LowerEnvelope {
    private var vertices: [Int]
    private var boundaries: [Double]

    init(capacity: Int) {
        vertices = [Int](repeating: 0, count: capacity)
        boundaries = [Double](repeating: 0, count: capacity + 1)
    }

    /// Replaces `values` (squared distances, `+infinity` where unknown) by their 1D transform with
    /// samples `spacing` mm apart.
    mutating func transform(_ values: inout [Double], spacing: Double) {
        let count = values.count
        var hull = -1
        func crossing(_ vertex: Int, _ position: Int) -> Double {
            let x = Double(position) * spacing, vx = Double(vertex) * spacing
            return ((values[position] + x * x) - (values[vertex] + vx * vx)) / (2 * (x - vx))
        }
        for position in 0..<count where values[position].isFinite {
            var boundary = -Double.infinity
            while hull >= 0 {
                boundary = crossing(vertices[hull], position)
                if boundary <= boundaries[hull] { hull -= 1 } else { break }
            }
            hull += 1
            vertices[hull] = position
            boundaries[hull] = hull == 0 ? -.infinity : boundary
            boundaries[hull + 1] = .infinity
        }
        guard hull >= 0 else { return }  // no finite sample: the line stays +infinity
        let samples = values
        var segment = 0
        for position in 0..<count {
            let x = Double(position) * spacing
            while boundaries[segment + 1] < x { segment += 1 }
            let vx = Double(vertices[segment]) * spacing
            values[position] = (x - vx) * (x - vx) + samples[vertices[segment]]
        }
    }
}

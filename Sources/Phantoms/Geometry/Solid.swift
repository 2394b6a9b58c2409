/// A position in the phantom's patient frame, in mm: `y` posterior, `x` patient left, `z`
/// superior (the axes of `PatientAxes`), origin at the prostate centre.
public struct Point3: Sendable, Hashable {
    public var y: Double
    public var x: Double
    public var z: Double

    public init(y: Double, x: Double, z: Double) {
        self.y = y
        self.x = x
        self.z = z
    }

    static func + (a: Point3, b: Point3) -> Point3 { Point3(y: a.y + b.y, x: a.x + b.x, z: a.z + b.z) }
    static func - (a: Point3, b: Point3) -> Point3 { Point3(y: a.y - b.y, x: a.x - b.x, z: a.z - b.z) }
    static func * (a: Point3, s: Double) -> Point3 { Point3(y: a.y * s, x: a.x * s, z: a.z * s) }
    func dot(_ b: Point3) -> Double { y * b.y + x * b.x + z * b.z }
}

/// An axis-aligned box in mm.
public struct BoundingBox: Sendable, Hashable {
    public var lower: Point3
    public var upper: Point3

    func union(_ other: BoundingBox) -> BoundingBox {
        BoundingBox(lower: Point3(y: min(lower.y, other.lower.y), x: min(lower.x, other.lower.x), z: min(lower.z, other.lower.z)),
                    upper: Point3(y: max(upper.y, other.upper.y), x: max(upper.x, other.upper.x), z: max(upper.z, other.upper.z)))
    }
}

/// A smooth solid described by a normalised radius: below 1 inside, 1 on the surface, growing
/// outward. The radius also shades the inside (a bone's cortex is where it nears 1).
/// Only +, −, ×, ÷ and square roots are used, so every machine rasterises the same voxels.
public enum Solid: Sendable, Hashable {
    /// Semi-axes along y, x, z.
    case ellipsoid(centre: Point3, semiAxes: Point3)
    /// All points within `radius` of the segment `from`–`to`.
    case capsule(from: Point3, to: Point3, radius: Double)
    /// An elliptic cylinder along z (the body outline), unbounded in z.
    case ellipticCylinder(centreY: Double, centreX: Double, semiAxisY: Double, semiAxisX: Double)

    public func normalizedRadius(at p: Point3) -> Double {
        switch self {
        case let .ellipsoid(centre, axes):
            let dy = (p.y - centre.y) / axes.y, dx = (p.x - centre.x) / axes.x, dz = (p.z - centre.z) / axes.z
            return (dy * dy + dx * dx + dz * dz).squareRoot()
        case let .capsule(from, to, radius):
            let axis = to - from, offset = p - from
            let length2 = axis.dot(axis)
            let t = length2 > 0 ? min(1, max(0, offset.dot(axis) / length2)) : 0
            let nearest = offset - axis * t
            return nearest.dot(nearest).squareRoot() / radius
        case let .ellipticCylinder(centreY, centreX, semiAxisY, semiAxisX):
            let dy = (p.y - centreY) / semiAxisY, dx = (p.x - centreX) / semiAxisX
            return (dy * dy + dx * dx).squareRoot()
        }
    }

    public func contains(_ p: Point3) -> Bool { normalizedRadius(at: p) < 1 }

    /// A box holding the solid (the cylinder's is unbounded in z).
    public var bounds: BoundingBox {
        switch self {
        case let .ellipsoid(centre, axes):
            return BoundingBox(lower: centre - axes, upper: centre + axes)
        case let .capsule(from, to, radius):
            let r = Point3(y: radius, x: radius, z: radius)
            return BoundingBox(lower: Point3(y: min(from.y, to.y), x: min(from.x, to.x), z: min(from.z, to.z)) - r,
                               upper: Point3(y: max(from.y, to.y), x: max(from.x, to.x), z: max(from.z, to.z)) + r)
        case let .ellipticCylinder(centreY, centreX, semiAxisY, semiAxisX):
            return BoundingBox(lower: Point3(y: centreY - semiAxisY, x: centreX - semiAxisX, z: -.infinity),
                               upper: Point3(y: centreY + semiAxisY, x: centreX + semiAxisX, z: .infinity))
        }
    }
}

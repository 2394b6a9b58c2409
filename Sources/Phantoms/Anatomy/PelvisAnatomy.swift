import Support
import Dosimetry

/// One synthetic male pelvis in mm, in the patient frame of `Point3` (origin at the prostate
/// centre): the solids every structure mask and the CT are drawn from.
///
/// Sizes and positions follow typical adult anatomy: a 30–50 cc prostate, a rectum just posterior
/// to it with some gas, a bladder anterior-superior whose size follows its filling, femoral heads
/// about 80 mm either side of the midline, bowel loops above the bladder. Every number comes from
/// the case's `SeededGenerator` in a fixed order (the order of the statements below), so a seed
/// always gives the same patient.
public struct PelvisAnatomy: Sendable, Hashable {
    public let body: Solid
    public let prostate: Solid
    /// Prostate plus a 7 mm margin (5 mm posterior, towards the rectum).
    public let ptv70: Solid
    public let seminalVesicles: [Solid]
    /// Seminal vesicles plus 7 mm: the PTV56 of a simultaneous-boost plan, before PTV70 and its
    /// gap are taken out.
    public let seminalVesicleTarget: [Solid]
    /// Bilateral pelvic lymph-node volumes: the PTV50.4 before higher targets are taken out.
    public let nodalTarget: [Solid]
    public let rectum: [Solid]
    public let rectalGas: [Solid]
    public let bladder: Solid
    public let bladderCentre: Point3
    /// Head and neck of the patient-left femur (positive x, larger column index).
    public let femurLeft: [Solid]
    public let femurRight: [Solid]
    public let bowel: [Solid]
    public let bowelGas: [Solid]
    /// Pubic symphysis and sacrum: bone in the CT, not structures.
    public let pelvicBones: [Solid]
    /// The arcs' rotation centre: the PTV70 centre.
    public let isocentre: Point3

    public static func sample(using g: inout SeededGenerator) -> PelvisAnatomy {
        let prostateAxes = Point3(y: g.nextUniform(15, 19), x: g.nextUniform(20, 25), z: g.nextUniform(16, 21))
        let prostate = Solid.ellipsoid(centre: Point3(y: 0, x: 0, z: 0), semiAxes: prostateAxes)
        // Anterior, lateral and cranio-caudal margin 7 mm, posterior 5 mm: a 1 mm anterior shift
        // of a 6 mm expansion in y.
        let isocentre = Point3(y: -1, x: 0, z: 0)
        let ptv70 = Solid.ellipsoid(centre: isocentre,
                                    semiAxes: Point3(y: prostateAxes.y + 6, x: prostateAxes.x + 7, z: prostateAxes.z + 7))

        var vesicles: [Solid] = [], vesicleTarget: [Solid] = []
        for side in [-1.0, 1.0] {
            let base = Point3(y: prostateAxes.y * 0.5, x: side * 6, z: prostateAxes.z * 0.7)
            let tip = Point3(y: prostateAxes.y * 0.5 + g.nextUniform(8, 14), x: side * g.nextUniform(18, 26),
                             z: prostateAxes.z + g.nextUniform(10, 18))
            let radius = g.nextUniform(5, 7)
            vesicles.append(.capsule(from: base, to: tip, radius: radius))
            vesicleTarget.append(.capsule(from: base, to: tip, radius: radius + 7))
        }

        var nodes: [Solid] = []
        for side in [-1.0, 1.0] {
            let low = Point3(y: -5, x: side * g.nextUniform(35, 42), z: prostateAxes.z + 5)
            let high = Point3(y: -g.nextUniform(5, 15), x: side * g.nextUniform(50, 60), z: prostateAxes.z + g.nextUniform(45, 60))
            nodes.append(.capsule(from: low, to: high, radius: g.nextUniform(10, 13)))
        }

        // Rectum: straight behind the prostate, curving posterior with the sacrum above it.
        let rectalRadius = g.nextUniform(13, 17)
        let rectalY = prostateAxes.y + 1 + rectalRadius
        let rectalX = g.nextUniform(-3, 3)
        let anus = Point3(y: rectalY, x: rectalX, z: -prostateAxes.z - g.nextUniform(15, 25))
        let bend = Point3(y: rectalY, x: rectalX, z: prostateAxes.z)
        let sigmoid = Point3(y: rectalY + g.nextUniform(10, 18), x: g.nextUniform(-8, 8), z: prostateAxes.z + g.nextUniform(25, 35))
        let rectum = [Solid.capsule(from: anus, to: bend, radius: rectalRadius), .capsule(from: bend, to: sigmoid, radius: rectalRadius)]
        var rectalGas: [Solid] = []
        for _ in 0..<(1 + Int(g.nextInt(below: 3))) {
            let t = g.nextUnit()
            let along = t < 0.5 ? anus + (bend - anus) * (t * 2) : bend + (sigmoid - bend) * (t * 2 - 1)
            let offset = Point3(y: g.nextUniform(-0.4, 0.4), x: g.nextUniform(-0.4, 0.4), z: 0) * rectalRadius
            let r = g.nextUniform(3, rectalRadius * 0.5)
            rectalGas.append(.ellipsoid(centre: along + offset, semiAxes: Point3(y: r, x: r, z: r * 1.5)))
        }

        // Bladder: anterior-superior; its size follows the filling.
        let filling = g.nextUnit()
        let bladderAxes = Point3(y: 20 + 12 * filling, x: 30 + 15 * filling, z: 22 + 14 * filling)
        let bladderCentre = Point3(y: -prostateAxes.y * 0.3 - bladderAxes.y * 0.55, x: g.nextUniform(-4, 4),
                                   z: prostateAxes.z + bladderAxes.z * 0.75)
        let bladder = Solid.ellipsoid(centre: bladderCentre, semiAxes: bladderAxes)

        func femur(side: Double) -> [Solid] {
            let radius = g.nextUniform(22, 25)
            let head = Point3(y: g.nextUniform(-5, 5), x: side * g.nextUniform(78, 86), z: g.nextUniform(-10, 5))
            let neckEnd = Point3(y: head.y, x: head.x + side * g.nextUniform(18, 24), z: head.z - g.nextUniform(25, 35))
            return [.ellipsoid(centre: head, semiAxes: Point3(y: radius, x: radius, z: radius)),
                    .capsule(from: head, to: neckEnd, radius: 14)]
        }
        let femurLeft = femur(side: 1)
        let femurRight = femur(side: -1)

        // Bowel loops above the bladder, mostly running across the pelvis.
        let bladderTop = bladderCentre.z + bladderAxes.z
        var bowel: [Solid] = [], bowelGas: [Solid] = []
        for loop in 0..<(5 + Int(g.nextInt(below: 4))) {
            let centre = Point3(y: g.nextUniform(-70, 0), x: g.nextUniform(-60, 60), z: bladderTop + g.nextUniform(-10, 15))
            let half = Point3(y: g.nextUniform(-8, 8), x: g.nextUniform(-20, 20), z: g.nextUniform(-5, 5))
            let radius = g.nextUniform(9, 13)
            bowel.append(.capsule(from: centre - half, to: centre + half, radius: radius))
            if loop % 2 == 0 {
                let r = radius * 0.4
                bowelGas.append(.ellipsoid(centre: centre + half * 0.5, semiAxes: Point3(y: r, x: r, z: r)))
            }
        }

        let pubisY = -prostateAxes.y - 28
        let sacrumY = rectalY + rectalRadius + 15
        let pelvicBones = [Solid.capsule(from: Point3(y: pubisY, x: -35, z: -5), to: Point3(y: pubisY, x: 35, z: -5), radius: 9),
                           .capsule(from: Point3(y: sacrumY, x: 0, z: 0), to: Point3(y: sacrumY + 10, x: 0, z: 150), radius: 14)]

        let body = Solid.ellipticCylinder(centreY: g.nextUniform(-3, 3), centreX: g.nextUniform(-3, 3),
                                          semiAxisY: g.nextUniform(98, 108), semiAxisX: g.nextUniform(160, 185))

        return PelvisAnatomy(body: body, prostate: prostate, ptv70: ptv70, seminalVesicles: vesicles,
                             seminalVesicleTarget: vesicleTarget, nodalTarget: nodes, rectum: rectum, rectalGas: rectalGas,
                             bladder: bladder, bladderCentre: bladderCentre, femurLeft: femurLeft, femurRight: femurRight, bowel: bowel, bowelGas: bowelGas,
                             pelvicBones: pelvicBones, isocentre: isocentre)
    }
}

import Support
import DoseCase
import Foundation
import Dosimetry
import NumpyFormat

/// One generated case: its arrays and metadata as typed values, and how they are written. A
/// defect is planted while generating (dose, crop, CT, prescription) or on the finished
/// arrays (labels, values, encoding), whichever way the real defect arose.
public struct PhantomCase: Sendable {
    public let recipe: PhantomRecipe
    public let grid: PhantomGrid
    public var ct: [Float]
    public var dose: [Float]
    public var masks: [[UInt8]]
    public var signedDistances: [[Float]]
    public var constraints: [Float]
    public var metadata: MetadataValue
    public var leafPositions: [(key: String, array: NPYArray)]
    var encoding = Encoding()

    /// Departures from the format that only show when the case is written.
    struct Encoding {
        var masksAsFloat32 = false
        var doseDropsLastSlice = false
        var omittedKeys: Set<String> = []
        var metadataPickle: [UInt8]?
    }

    /// Prescription levels of the pipeline's plans (spec, "constraints").
    static let levelsGy = (ptv70: 70.0, ptv56: 56.0, ptv50_4: 50.4)
    /// The rx_normalization defect's prescription, as a plan sum's DoseReferenceSequence gave it.
    static let wrongNormalizationGy = 74.0

    public static func generate(_ recipe: PhantomRecipe, size: PhantomSize) throws -> PhantomCase {
        let defect = recipe.defect
        var patient = SeededGenerator(seed: recipe.patientSeed, stream: PhantomStream.anatomy)
        let anatomy = PelvisAnatomy.sample(using: &patient)
        let targets = [anatomy.ptv70] + (recipe.carriesPTV56 ? anatomy.seminalVesicleTarget : [])
            + (recipe.carriesPTV50_4 ? anatomy.nodalTarget : [])
        let organs = [anatomy.prostate, anatomy.bladder] + anatomy.rectum + anatomy.femurLeft + anatomy.femurRight + anatomy.bowel

        var cropGenerator = SeededGenerator(seed: recipe.patientSeed, stream: PhantomStream.crop)
        let placement = CropPlacement.place(structures: targets + organs, size: size, fixedGrid: recipe.formatVersion == .v2_2,
                                            topAtMM: defect == .truncatedStructure ? anatomy.bladderCentre.z : nil,
                                            using: &cropGenerator)
        let grid = placement.grid
        var structures = PhantomStructures.build(anatomy: anatomy, grid: grid, recipe: recipe)
        let hu = PhantomCT.hounsfieldUnits(anatomy: anatomy, grid: grid, noiseSeed: recipe.patientSeed)
        var ct = PhantomCT.normalized(hu, rawPixels: defect == .rawPixelCT)

        var doseGy = Self.planDose(anatomy: anatomy, structures: structures, targets: targets, grid: grid, recipe: recipe)
        if defect == .doseFromAnotherCase {
            doseGy = Self.anotherPatientsDose(on: grid, recipe: recipe)
        }
        if defect == .doseMisregistration {
            // 10 mm anterior (towards row 0) and 20 mm to the patient's left (larger columns).
            doseGy = Self.moved(doseGy, grid: grid, rowsPosterior: -Int((10 / grid.spacingMM[0]).rounded()),
                                columnsLeft: Int((20 / grid.spacingMM[1]).rounded()), fill: 0)
        }
        if defect == .nanDose { Self.plantNaN(in: &doseGy, grid: grid) }
        let normalizationGy = defect == .rxNormalization ? wrongNormalizationGy : levelsGy.ptv70

        switch defect {
        case .femurSwap:
            structures.masks.swapAt(5, 6)
            structures.signedDistances.swapAt(5, 6)
        case .emptyRequiredStructure:
            structures.masks[3] = [UInt8](repeating: 0, count: grid.shape.voxelCount)
            structures.signedDistances[3] = [Float](repeating: recipe.absentSDFValue, count: grid.shape.voxelCount)
        case .sdfMaskMismatch:
            structures.signedDistances[4] = try Self.signedDistance(of: Self.moved(structures.masks[4], grid: grid, rowsPosterior: 4, columnsLeft: 0, fill: 0),
                                                                   grid: grid)
        case .absentSDFConvention:
            for channel in structures.masks.indices where !structures.masks[channel].contains(1) {
                structures.signedDistances[channel] = [Float](repeating: 1, count: grid.shape.voxelCount)
            }
        case .ptv56InsidePTV70:
            // A CTV mapped into the PTV56 channel by name (as the seminal-vesicle CTV once was):
            // the prostate, which lies inside PTV70.
            structures.masks[1] = structures.masks[2]
            structures.signedDistances[1] = structures.signedDistances[2]
        default: break
        }

        let prescription = PhantomMetadata.Prescription(
            primaryDoseGy: normalizationGy, fractions: defect == .rxNormalization ? 37 : (recipe.planType == .singleRx ? 35 : 28),
            source: defect == .rxNormalization ? "DoseReferenceSequence" : ["DoseReferenceSequence", "FractionGroupSequence", "default"][Int(recipe.patientSeed % 3)])
        var record = SeededGenerator(seed: recipe.planSeed, stream: PhantomStream.record)
        var metadata = PhantomMetadata(recipe: recipe, placement: placement, masks: structures.masks, doseGy: doseGy,
                                       normalizationGy: normalizationGy, prescription: prescription).build(using: &record)
        var constraints = Self.constraints(masks: structures.masks, normalizationGy: normalizationGy)
        var encoding = Encoding()
        switch defect {
        case .planTypeMislabel:
            metadata = metadata.replacing("case_type", with: metadataDict([
                ("type", .string(PlanType.singleRx.rawValue)), ("ptv70_exists", .bool(true)),
                ("ptv56_exists", .bool(false)), ("ptv50_exists", .bool(false)),
            ]))
            constraints[1] = 0
            constraints[2] = 0
        case .phiMetadata:
            metadata = metadata.appending([metadataEntry("patient_name", .string("DOE^JOHN")), metadataEntry("patient_id", .string("00451278")),
                                           metadataEntry("birth_date", .string("19580314"))])
        case .wrongMaskDType: encoding.masksAsFloat32 = true
        case .shapeMismatch: encoding.doseDropsLastSlice = true
        case .missingKey: encoding.omittedKeys = ["dose"]
        case .maliciousPickle: encoding.metadataPickle = Self.commandRunningPickle
        case .inPlaneSpacingDoubled:
            let spacing = grid.spacingMM
            metadata = metadata.replacing("voxel_spacing_mm", with: .tuple([spacing[0] * 2, spacing[1] * 2, spacing[2]].map { .float($0) }))
        default: break
        }
        if let axis = defect?.mirroredAxis {
            // The whole case at once, as an axis mix-up in a conversion step does it: every array
            // still agrees with the others.
            ct = Self.mirrored(ct, grid: grid, axis: axis)
            doseGy = Self.mirrored(doseGy, grid: grid, axis: axis)
            structures.masks = structures.masks.map { Self.mirrored($0, grid: grid, axis: axis) }
            structures.signedDistances = structures.signedDistances.map { Self.mirrored($0, grid: grid, axis: axis) }
        }
        var leaves = SeededGenerator(seed: recipe.planSeed, stream: PhantomStream.leaves)
        return PhantomCase(recipe: recipe, grid: grid, ct: ct, dose: doseGy.map { Float($0 / normalizationGy) },
                           masks: structures.masks, signedDistances: structures.signedDistances, constraints: constraints,
                           metadata: metadata,
                           leafPositions: recipe.formatVersion == .v2_4 ? try PhantomLeaves.arrays(arcs: 2, using: &leaves) : [],
                           encoding: encoding)
    }

    /// The members in the pipeline's order: ct, masks, dose, constraints, metadata, masks_sdf, MLC.
    public func members() throws -> [(key: String, content: NPZContent)] {
        let shape = grid.shape
        let channels = [masks.count] + shape.dimensions
        let masksArray = encoding.masksAsFloat32
            ? try Self.stacked(masks, shape: channels, as: Float.self) { Float($0) }
            : try Self.stacked(masks, shape: channels, as: UInt8.self) { $0 }
        let doseArray = encoding.doseDropsLastSlice
            ? try NPYArray(shape: [shape.rows, shape.columns, shape.slices - 1],
                           elements: dose.indices.compactMap { $0 % shape.slices == shape.slices - 1 ? nil : dose[$0] })
            : try NPYArray(shape: shape.dimensions, elements: dose)
        let pickle = try encoding.metadataPickle
            ?? PickleWriter.pickleObjectArray(wrapping: metadata, dialect: recipe.formatVersion == .v2_4 ? .numpy2 : .numpy1)
        var members: [(key: String, content: NPZContent)] = [
            ("ct", .array(try NPYArray(shape: shape.dimensions, elements: ct))),
            ("masks", .array(masksArray)),
            ("dose", .array(doseArray)),
            ("constraints", .array(try NPYArray(shape: [constraints.count], elements: constraints))),
            ("metadata", .pickledObject(NPYPickledObject(pickle: pickle))),
            ("masks_sdf", .array(try Self.stacked(signedDistances, shape: channels, as: Float.self) { $0 })),
        ]
        members += leafPositions.map { ($0.key, .array($0.array)) }
        return members.filter { !encoding.omittedKeys.contains($0.key) }
    }

    /// One (C, Y, X, Z) array from per-channel volumes, converted element by element, written
    /// straight into the array's storage.
    static func stacked<Source, Element: NPYElement>(_ channels: [[Source]], shape: [Int], as _: Element.Type,
                                                     _ convert: (Source) -> Element) throws -> NPYArray {
        let total = channels.map(\.count).reduce(0, +)
        guard total == shape.reduce(1, *) else {
            throw NPYError.invalidShape(source: "phantom", shape: "\(shape)", reason: "the channels hold \(total) elements")
        }
        return try NPYArray(shape: shape) { (buffer: UnsafeMutableBufferPointer<Element>) in
            var offset = 0
            for channel in channels {
                for value in channel {
                    buffer[offset] = convert(value)
                    offset += 1
                }
            }
        }
    }

    /// Writes the case as `numpy.savez_compressed` would, atomically. A truncated_file case is
    /// written whole, then cut to 60 % of its length (still atomically).
    public func write(to path: String) throws {
        try NPZWriter.write(members: members(), to: path, compression: .deflate)
        if recipe.defect == .truncatedFile {
            guard let whole = FileManager.default.contents(atPath: path) else {
                throw NPZError.writeFailed(file: path, reason: "could not read the file back to truncate it")
            }
            try AtomicFile.write([UInt8](whole.prefix(whole.count * 3 / 5)), to: path)
        }
    }

    /// constraints[0…2] = 70/Rx, 56/Rx, 50.4/Rx for the PTVs present, then the fixed OAR limits
    /// (spec, "constraints").
    static func constraints(masks: [[UInt8]], normalizationGy: Double) -> [Float] {
        func level(_ channel: Int, _ gy: Double) -> Double { channel < masks.count && masks[channel].contains(1) ? gy / normalizationGy : 0 }
        let values = [level(0, levelsGy.ptv70), level(1, levelsGy.ptv56), level(8, levelsGy.ptv50_4),
                      0.50, 0.35, 0.20, 75.0 / 70, 0.50, 0.35, 0.25, 0.10, 195.0 / 500, 45.0 / 70]
        return values.map { Float($0) }
    }

    /// The plan's dose (Gy) on `grid`: one level per target present, each a plateau over its PTV
    /// with a fall-off outside (D95 artifacts recalibrated to their target D95).
    static func planDose(anatomy: PelvisAnatomy, structures: PhantomStructures, targets: [Solid], grid: PhantomGrid,
                         recipe: PhantomRecipe) -> [Double] {
        var ripple = SeededGenerator(seed: recipe.planSeed, stream: PhantomStream.ripple)
        var plan = PlanDose(levels: [], body: grid.rasterize([anatomy.body]), ripple: RippleField.sample(using: &ripple),
                            isocentre: anatomy.isocentre, arcZRange: Self.arcZRange(targets))
        let levels: [(String, Double, ClosedRange<Double>)] = [
            (StructureChannel.ptv70, levelsGy.ptv70, 1.01...1.035), (StructureChannel.ptv56, levelsGy.ptv56, 1.01...1.035),
            (StructureChannel.ptv50_4, levelsGy.ptv50_4, 1.005...1.025),
        ]
        for (name, levelGy, plateau) in levels {
            guard let mask = structures.mask(name), mask.contains(1), let sdf = structures.signedDistance(name) else { continue }
            plan.levels.append(.init(doseGy: levelGy, signedDistance: sdf, plateau: plateau, edgeMM: 1,
                                     falloffMM: name == StructureChannel.ptv70 ? 7 : 6))
        }
        if let targetD95 = recipe.defect?.artifactD95Gy {
            plan = BoundaryArtifact.calibrate(plan, grid: grid, ptv70: structures.masks[0], targetD95Gy: targetD95)
        }
        return plan.compute(on: grid)
    }

    /// Where the dose_from_another_case defect's patient lay on the shared grid: 12 mm superior and
    /// 8 mm to the right of this patient (v2.2's fixed grid keeps each scan's own position).
    static let anotherPatientOffset = Point3(y: 0, x: -8, z: 12)

    /// A single-prescription plan for another patient (anatomy from the plan seed), lying
    /// `anotherPatientOffset` away, on this case's grid: what a file mix-up puts in `dose`.
    static func anotherPatientsDose(on grid: PhantomGrid, recipe: PhantomRecipe) -> [Double] {
        var generator = SeededGenerator(seed: recipe.planSeed, stream: PhantomStream.anotherPatient)
        let other = PelvisAnatomy.sample(using: &generator)
        // The other patient's frame is this one's moved by the offset: its grid starts that much lower.
        let shifted = PhantomGrid(shape: grid.shape, spacingMM: grid.spacingMM, origin: grid.origin - anotherPatientOffset)
        let plan = PhantomRecipe(caseId: recipe.caseId, institution: recipe.institution, planType: .singleRx,
                                 formatVersion: recipe.formatVersion, patientSeed: recipe.patientSeed, planSeed: recipe.planSeed, defect: nil)
        let structures = PhantomStructures.build(anatomy: other, grid: shifted, recipe: plan)
        return planDose(anatomy: other, structures: structures, targets: [other.ptv70], grid: shifted, recipe: plan)
    }

    /// The volume reversed along one array axis.
    static func mirrored<Element>(_ values: [Element], grid: PhantomGrid, axis: Int) -> [Element] {
        let shape = grid.shape
        var result = values
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                for slice in 0..<shape.slices {
                    let source = shape.offset(row: axis == 0 ? shape.rows - 1 - row : row,
                                              column: axis == 1 ? shape.columns - 1 - column : column,
                                              slice: axis == 2 ? shape.slices - 1 - slice : slice)
                    result[shape.offset(row: row, column: column, slice: slice)] = values[source]
                }
            }
        }
        return result
    }

    static func arcZRange(_ targets: [Solid]) -> ClosedRange<Double> {
        let bounds = targets.map(\.bounds).reduce(targets[0].bounds) { $0.union($1) }
        return (bounds.lower.z - 5)...(bounds.upper.z + 5)
    }

    /// The volume's content moved `rowsPosterior` rows and `columnsLeft` columns (negative: the
    /// other way); voxels with no source get `fill`.
    static func moved<Element>(_ values: [Element], grid: PhantomGrid, rowsPosterior: Int, columnsLeft: Int, fill: Element) -> [Element] {
        let shape = grid.shape
        var result = [Element](repeating: fill, count: values.count)
        for row in 0..<shape.rows where (0..<shape.rows).contains(row - rowsPosterior) {
            for column in 0..<shape.columns where (0..<shape.columns).contains(column - columnsLeft) {
                let target = shape.offset(row: row, column: column, slice: 0)
                let source = shape.offset(row: row - rowsPosterior, column: column - columnsLeft, slice: 0)
                result[target..<(target + shape.slices)] = values[source..<(source + shape.slices)]
            }
        }
        return result
    }

    static func signedDistance(of mask: [UInt8], grid: PhantomGrid) throws -> [Float] {
        DistanceTransform.clippedSignedDistance(mask: try Volume(shape: grid.shape, elements: mask), spacingMM: grid.spacingMM,
                                                clipMM: PhantomStructures.sdfClipMM)
    }

    /// A 3×3×3 block of NaN in the body, 60 mm anterior and 40 mm left of the prostate (moved
    /// inside the grid when a custom size is too small to reach there).
    static func plantNaN(in dose: inout [Double], grid: PhantomGrid) {
        func index(_ mm: Double, _ origin: Double, _ spacing: Double, _ count: Int) -> Int {
            min(max(1, Int(((mm - origin) / spacing).rounded())), count - 2)
        }
        let shape = grid.shape
        let row = index(-60, grid.origin.y, grid.spacingMM[0], shape.rows)
        let column = index(40, grid.origin.x, grid.spacingMM[1], shape.columns)
        let slice = index(0, grid.origin.z, grid.spacingMM[2], shape.slices)
        for r in (row - 1)...(row + 1) {
            for c in (column - 1)...(column + 1) {
                for s in (slice - 1)...(slice + 1) { dose[grid.shape.offset(row: r, column: c, slice: s)] = .nan }
            }
        }
    }

    /// `pickle.dumps` of an object whose `__reduce__` returns `(os.system, (COMMAND,))`, protocol 2:
    /// what a hostile metadata member looks like. Loading it with Python's pickle would run
    /// COMMAND (a harmless echo); dosecurate must refuse it without running anything.
    static let commandRunningPickle: [UInt8] = {
        let command = Array("echo dosecurate phantom: this metadata pickle ran a shell command".utf8)
        let length = UInt32(command.count)
        return [0x80, 0x02] + Array("cos\nsystem\n".utf8) + [0x58] + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
            + command + [0x85, 0x52, 0x2E]
    }()
}

extension PhantomRecipe {
    /// What an absent structure's signed distance holds (spec, "Keys"): +1 up to v2.3, 0 in v2.4.
    var absentSDFValue: Float { formatVersion == .v2_4 ? 0 : 1 }
}

extension MetadataValue {
    /// The dict with `key`'s value replaced (order kept).
    func replacing(_ key: String, with value: MetadataValue) -> MetadataValue {
        guard case .dict(let entries) = self else { return self }
        return .dict(entries.map { $0.key == .string(key) ? MetadataEntry(key: $0.key, value: value) : $0 })
    }

    func appending(_ extra: [MetadataEntry]) -> MetadataValue {
        guard case .dict(let entries) = self else { return self }
        return .dict(entries + extra)
    }
}

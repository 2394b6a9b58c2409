import Support
import DoseCase
import Dosimetry
import NumpyFormat

/// The pickled `metadata` dict of a phantom, key for key as the pipeline writes it for each
/// version (spec, "metadata"): plain Python values, tuples, nested dicts, int-keyed
/// `structure_channels`, and numpy scalars where the pipeline's numbers came from numpy.
struct PhantomMetadata {
    struct Prescription {
        var primaryDoseGy: Double
        var fractions: Int
        var source: String
    }

    var recipe: PhantomRecipe
    var placement: CropPlacement
    var masks: [[UInt8]]
    var doseGy: [Double]
    var normalizationGy: Double
    var prescription: Prescription

    func build(using g: inout SeededGenerator) -> MetadataValue {
        let grid = placement.grid
        let shape = grid.shape
        let names = Array(StructureChannel.standardOrder.prefix(masks.count))
        let present = masks.map { $0.contains(1) }
        func isPresent(_ name: String) -> Bool { names.firstIndex(of: name).map { present[$0] } ?? false }
        let spacing = MetadataValue.tuple(grid.spacingMM.map { .float($0) })
        let shapeTuple = MetadataValue.tuple(shape.dimensions.map { .int(Int64($0)) })

        var entries: [MetadataEntry] = [
            metadataEntry("case_id", .string(recipe.caseId)),
            metadataEntry("processed_date", .string(Self.processedDate(using: &g))),
            metadataEntry("script_version", .string(recipe.formatVersion.rawValue + ".0")),
            metadataEntry("prescription_info", metadataDict([
                ("primary_dose", .float(prescription.primaryDoseGy)),
                ("fractions", .int(Int64(prescription.fractions))),
                ("dose_per_fraction", .float(prescription.primaryDoseGy / Double(prescription.fractions))),
                ("source", .string(prescription.source)),
            ])),
            metadataEntry("case_type", metadataDict([
                ("type", .string(recipe.planType.rawValue)),
                ("ptv70_exists", .bool(isPresent(StructureChannel.ptv70))),
                ("ptv56_exists", .bool(isPresent(StructureChannel.ptv56))),
                ("ptv50_exists", .bool(isPresent(StructureChannel.ptv50_4))),
            ])),
            metadataEntry("normalization_dose_gy", .float(normalizationGy)),
        ]
        if recipe.formatVersion == .v2_2 {
            entries.append(metadataEntry("target_shape", shapeTuple))
            entries.append(metadataEntry("target_spacing_mm", spacing))
        } else {
            entries.append(metadataEntry("voxel_spacing_mm", spacing))
            entries.append(metadataEntry("volume_shape", shapeTuple))
            entries.append(metadataEntry("crop_box", metadataDict([
                ("y_start", .int(Int64(placement.rowStart))), ("y_end", .int(Int64(placement.rowStart + shape.rows))),
                ("x_start", .int(Int64(placement.columnStart))), ("x_end", .int(Int64(placement.columnStart + shape.columns))),
                ("z_start", .int(Int64(placement.sliceStart))), ("z_end", .int(Int64(placement.sliceStart + shape.slices))),
                ("centroid_voxel", .tuple([placement.centroidVoxel.row, placement.centroidVoxel.column, placement.centroidVoxel.slice]
                    .map { .int(Int64($0)) })),
            ])))
        }
        entries.append(metadataEntry("dose_grid_spacing_mm", .tuple([.float(2.5), .float(2.5), .float(2.5)])))
        entries.append(metadataEntry("sdf_clip_mm", .float(PhantomStructures.sdfClipMM)))
        entries.append(metadataEntry("sdf_validation", .dict(names.indices.filter { present[$0] }.map { channel in
            metadataEntry(names[channel], metadataDict([("mismatch_voxels", .numpyScalar(.int64(0))), ("valid", .numpyScalar(.bool(true)))]))
        })))
        let ptv70 = doseStatistics(channel: 0)
        var warnings: [MetadataValue] = []
        if let d95 = ptv70?.d95, d95 < 64 { warnings.append(.string("PTV70 D95 \(Self.oneDecimal(d95)) Gy below 64 Gy")) }
        entries.append(metadataEntry("validation", metadataDict([
            ("ptv70_d95_gy", .numpyScalar(.float64(ptv70?.d95 ?? 0))),
            ("ptv70_mean_gy", .numpyScalar(.float64(ptv70?.mean ?? 0))),
            ("passed", .numpyScalar(.bool(warnings.isEmpty))),
            ("warnings", .list(warnings)),
        ])))
        entries.append(metadataEntry("truncation_info", .dict(names.indices.filter { present[$0] }.map { channel in
            let fraction = Self.faceFraction(masks[channel], shape: shape)
            return metadataEntry(names[channel], metadataDict([("face_fraction", .float(fraction)), ("truncated", .bool(fraction > 0.05))]))
        })))
        entries.append(metadataEntry("structure_channels", .dict(names.enumerated().map {
            MetadataEntry(key: .int(Int64($0.offset)), value: .string($0.element))
        })))
        entries.append(metadataEntry("beam_geometry", beamGeometry(using: &g)))
        if recipe.formatVersion == .v2_4 {
            let targets = [StructureChannel.ptv70, StructureChannel.ptv56, StructureChannel.ptv50_4]
            let levels = [70.0, 56.0, 50.4]
            let targetStatistics = [ptv70, doseStatistics(channel: 1), doseStatistics(channel: 8)]
            entries.append(metadataEntry("dvh_validation", .dict(targets.indices.compactMap { target in
                let name = targets[target], levelGy = levels[target]
                guard let stats = targetStatistics[target] else { return nil }
                return metadataEntry(name, metadataDict([
                    ("D95", .numpyScalar(.float64(stats.d95))), ("Dmean", .numpyScalar(.float64(stats.mean))),
                    ("V100", .numpyScalar(.float64(stats.percentAtLeast(levelGy)))),
                ]))
            })))
        }
        return .dict(entries)
    }

    /// Two coplanar 6 MV arcs about the isocentre, as the pipeline copies them from RTPLAN.
    private func beamGeometry(using g: inout SeededGenerator) -> MetadataValue {
        let collimator = [g.nextUniform(10, 45).rounded(), g.nextUniform(315, 350).rounded()]
        let clockwise = [true, false]
        let arcs: [MetadataValue] = (0..<2).map { (arc: Int) -> MetadataValue in
            let start: Double = clockwise[arc] ? 181 : 179
            let stop: Double = clockwise[arc] ? 179 : 181
            let pairs: [(String, MetadataValue)] = [
                ("beam_number", .int(Int64(arc + 1))),
                ("gantry_start", .float(start)),
                ("gantry_stop", .float(stop)),
                ("direction", .string(clockwise[arc] ? "CW" : "CC")),
                ("collimator_angle", .float(collimator[arc])),
                ("n_control_points", .int(Int64(PhantomLeaves.controlPoints))),
                ("energy", .string("6X")),
            ]
            return metadataDict(pairs)
        }
        return metadataDict([("n_beams", .int(2)), ("isocenter_mm", .tuple([.float(0), .float(0), .float(0)])), ("beams", .list(arcs))])
    }

    private struct DoseStatistics {
        var sorted: [Double]
        var d95: Double
        var mean: Double
        func percentAtLeast(_ doseGy: Double) -> Double {
            100 * Double(sorted.count - (sorted.firstIndex { $0 >= doseGy } ?? sorted.count)) / Double(sorted.count)
        }
    }

    private func doseStatistics(channel: Int) -> DoseStatistics? {
        guard channel < masks.count else { return nil }
        let mask = masks[channel]
        let scale = PlanDose.referenceDoseGy / normalizationGy
        let doses = mask.indices.compactMap { mask[$0] != 0 ? doseGy[$0] * scale : nil }.sorted()
        guard let d95 = Percentile.dose(covering: 95, sortedDoses: doses) else { return nil }
        return DoseStatistics(sorted: doses, d95: d95, mean: doses.reduce(0, +) / Double(doses.count))
    }

    /// Share of a mask's voxels that lie on a face of the volume.
    static func faceFraction(_ mask: [UInt8], shape: VolumeShape) -> Double {
        var total = 0, onFace = 0
        for row in 0..<shape.rows {
            for column in 0..<shape.columns {
                let base = shape.offset(row: row, column: column, slice: 0)
                let edge = row == 0 || column == 0 || row == shape.rows - 1 || column == shape.columns - 1
                for slice in 0..<shape.slices where mask[base + slice] != 0 {
                    total += 1
                    if edge || slice == 0 || slice == shape.slices - 1 { onFace += 1 }
                }
            }
        }
        return total == 0 ? 0 : Double(onFace) / Double(total)
    }

    /// An ISO date-time in 2023–2024, drawn from the plan seed (never the clock: same seed, same file).
    static func processedDate(using g: inout SeededGenerator) -> String {
        let day = Int(g.nextInt(below: 730)), second = Int(g.nextInt(below: 86_400))
        // Civil date from days since 2023-01-01 (2024 is a leap year).
        var year = 2023, remaining = day
        let monthLengths = { (leap: Bool) in [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] }
        while remaining >= (year == 2024 ? 366 : 365) { remaining -= year == 2024 ? 366 : 365; year += 1 }
        var month = 0
        for length in monthLengths(year == 2024) {
            if remaining < length { break }
            remaining -= length
            month += 1
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month + 1))-\(two(remaining + 1))T\(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60))"
    }

    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}

func metadataEntry(_ key: String, _ value: MetadataValue) -> MetadataEntry { MetadataEntry(key: .string(key), value: value) }
func metadataDict(_ pairs: [(String, MetadataValue)]) -> MetadataValue { .dict(pairs.map { metadataEntry($0.0, $0.1) }) }

import DoseCase

/// `geometry.spacing`: the recorded voxel spacing against what the arrays imply. Every distance
/// in mm (gamma, margins, erosions) and every volume in cc is computed with it, and a spacing
/// off by 2× passes every array check. The anatomy gives each axis a scale:
/// - columns: the femoral heads' centroids lie about 150–200 mm apart in adults (the hip-joint
///   centres; the femur structures' centroids sit a little lateral of them, with the neck);
///   accepted 120–280 mm.
/// - rows: a femoral head is 40–50 mm across (cadaver and CT anthropometry of the proximal femur:
///   adult head diameters 40–46 mm on average, range about 35–55 mm); the femur structure's
///   anterior–posterior extent, which adds the neck's anteversion, accepted 30–85 mm.
/// - all three: a prostate is 20–40 cc, enlarged glands 100 cc and more; accepted 8–250 cc.
/// - columns: the body's width on the prostate's slice, 300–410 mm hip breadth for 5th–95th
///   percentile men (seated anthropometry); accepted 200–550 mm when the body lies inside the
///   field, and only the upper bound when the field cuts it (the pipeline's 300 mm crop usually
///   does: normal).
/// The ranges are wide on purpose: they catch a wrong scale, not an unusual patient. The
/// metadata must agree with itself too: `volume_shape` and the `crop_box` extents with the
/// arrays' shape, the spacing within what a CT can be (in-plane 0.3–3 mm, slices 0.5–6 mm), and
/// the dose grid (`dose_grid_spacing_mm`, the plan's own grid) neither finer than half the voxel
/// spacing nor outside 1–10 mm — a dose grid coarser than the voxels is normal (the pipeline
/// resamples dose onto the CT).
public struct GeometrySpacingCheck: CaseCheck {
    public static let id = "geometry.spacing"

    /// One measurement against its accepted range.
    struct Measurement {
        let key: String
        let valueMM: Double
        let range: ClosedRange<Double>
        /// True when only values above the range count (the field of view cut the structure, so the
        /// value is a lower bound).
        let lowerBoundOnly: Bool
        /// What was measured, as a noun phrase ("the femoral heads' centroid distance").
        let description: String
        let unit: String
        let axes: String

        var isAbove: Bool { valueMM > range.upperBound }
        var isBelow: Bool { !lowerBoundOnly && valueMM < range.lowerBound }
    }

    public let definition = CheckDefinition(
        id: id, purpose: "recorded voxel spacing agrees with the anatomy and with the metadata's shapes and dose grid",
        severityRule: "error when the metadata disagrees with the arrays' shape, when the spacing is outside what a CT can be, or when two or more anatomical scales are outside their ranges; warning when one anatomical scale is",
        arraysRead: ["masks", "ct"],
        measures: ["spacingMM", "femurSeparationMM", "femurDepthMM", "prostateVolumeCC", "bodyWidthMM", "bodyCutByField",
                   "doseGridSpacingMM"],
        thresholds: ["femurSeparationLowMM": 120, "femurSeparationHighMM": 280, "femurDepthLowMM": 30, "femurDepthHighMM": 85,
                     "prostateVolumeLowCC": 8, "prostateVolumeHighCC": 250, "bodyWidthLowMM": 200, "bodyWidthHighMM": 550,
                     "inPlaneSpacingLowMM": 0.3, "inPlaneSpacingHighMM": 3, "sliceSpacingLowMM": 0.5, "sliceSpacingHighMM": 6,
                     "doseGridLowMM": 1, "doseGridHighMM": 10, "doseGridToVoxelMinimum": 0.5])

    public init() {}

    public func evaluate(_ facts: CaseFacts, _ limits: CheckThresholds) -> [AuditFinding] {
        guard let grid = facts.grid, facts.metadata != nil else { return [] }
        let spacing = facts.spacing
        var measured: [String: Measured] = ["spacingMM": .list(spacing.millimetres.map { .number($0) })]
        var hard = metadataDisagreements(facts, grid: grid)
        hard += spacingOutOfRange(spacing, limits)
        hard += doseGridDisagreements(facts, spacing: spacing, limits, measured: &measured)
        let scales = anatomicalScales(facts, grid: grid, spacing: spacing, limits)
        for scale in scales { measured[scale.key] = .number(rounded(scale.valueMM)) }
        if let body = scales.first(where: { $0.key == "bodyWidthMM" }) { measured["bodyCutByField"] = .flag(body.lowerBoundOnly) }
        let outside = scales.filter { $0.isAbove || $0.isBelow }
        let spacingText = "recorded spacing \(spacing.millimetres.map { text($0, 2) }.joined(separator: " × ")) mm (\(spacing.source.rawValue))"
        let scaleText = outside.map { scale in
            "\(scale.description) \(text(scale.valueMM)) \(scale.unit) (accepted \(text(scale.range.lowerBound, 0))–\(text(scale.range.upperBound, 0)) \(scale.unit))"
        }
        let verdict = Self.verdict(outside)
        if !hard.isEmpty || outside.count >= 2 {
            let parts = hard + (scaleText.isEmpty ? [] : ["with the \(spacingText): " + scaleText.joined(separator: ", ") + verdict])
            return [finding(.error, parts.joined(separator: "; "), measured)]
        }
        if !outside.isEmpty {
            return [finding(.warning, "with the \(spacingText): " + scaleText.joined(separator: ", ") + verdict, measured)]
        }
        return []
    }

    /// "— the in-plane spacing looks too large" from the directions of what is out of range.
    static func verdict(_ outside: [Measurement]) -> String {
        guard !outside.isEmpty else { return "" }
        let above = outside.allSatisfy(\.isAbove), below = outside.allSatisfy(\.isBelow)
        guard above || below else { return " — the anatomical scales disagree with each other" }
        // A volume scales with every axis, so it agrees with whichever axis the lengths single out.
        let axes = Set(outside.map(\.axes)).subtracting(["all"])
        let which = axes == ["in-plane"] ? "the in-plane spacing" : "the spacing"
        return " — \(which) looks too \(above ? "large" : "small")"
    }

    /// `volume_shape` and the `crop_box` extents against the arrays' (Y, X, Z) shape.
    func metadataDisagreements(_ facts: CaseFacts, grid: VolumeShape) -> [String] {
        var problems: [String] = []
        if let stored = facts.metadata?["volume_shape"]?.asArray?.compactMap(\.asInt), stored.count == 3, stored != grid.dimensions {
            problems.append("metadata.volume_shape \(stored) is not the arrays' shape \(grid.dimensions)")
        }
        if let box = facts.metadata?["crop_box"] {
            let axes = [("y", grid.rows), ("x", grid.columns), ("z", grid.slices)]
            for (axis, count) in axes {
                guard let start = box["\(axis)_start"]?.asInt, let end = box["\(axis)_end"]?.asInt else { continue }
                // Metadata may hold any integers: subtract without trapping.
                let (extent, overflow) = end.subtractingReportingOverflow(start)
                if overflow || extent != count {
                    problems.append("crop_box \(axis)_end − \(axis)_start = \(overflow ? "\(end) − \(start)" : "\(extent)") but the arrays hold \(count) along \(axis)")
                }
            }
        }
        return problems
    }

    func spacingOutOfRange(_ spacing: VoxelSpacing, _ limits: CheckThresholds) -> [String] {
        var problems: [String] = []
        let inPlane = limits["inPlaneSpacingLowMM"]...max(limits["inPlaneSpacingLowMM"], limits["inPlaneSpacingHighMM"])
        let slice = limits["sliceSpacingLowMM"]...max(limits["sliceSpacingLowMM"], limits["sliceSpacingHighMM"])
        for (name, value) in [("row", spacing.yMM), ("column", spacing.xMM)] where !inPlane.contains(value) {
            problems.append("the \(name) spacing \(text(value, 2)) mm is outside what a CT pixel can be (\(inPlane.lowerBound)–\(inPlane.upperBound) mm)")
        }
        if !slice.contains(spacing.zMM) {
            problems.append("the slice spacing \(text(spacing.zMM, 2)) mm is outside what a CT slice can be (\(slice.lowerBound)–\(slice.upperBound) mm)")
        }
        return problems
    }

    func doseGridDisagreements(_ facts: CaseFacts, spacing: VoxelSpacing, _ limits: CheckThresholds,
                               measured: inout [String: Measured]) -> [String] {
        guard let values = facts.metadata?["dose_grid_spacing_mm"]?.asArray?.compactMap(\.asDouble), values.count == 3 else { return [] }
        measured["doseGridSpacingMM"] = .list(values.map { .number($0) })
        var problems: [String] = []
        let range = limits["doseGridLowMM"]...max(limits["doseGridLowMM"], limits["doseGridHighMM"])
        if !values.allSatisfy({ range.contains($0) }) {
            problems.append("dose_grid_spacing_mm \(values.map { text($0, 2) }) is outside \(range.lowerBound)–\(range.upperBound) mm")
        }
        for (axis, (dose, voxel)) in zip(["row", "column", "slice"], zip(values, spacing.millimetres))
        where dose < limits["doseGridToVoxelMinimum"] * voxel {
            problems.append("the dose grid (\(text(dose, 2)) mm) is finer than half the \(axis) spacing (\(text(voxel, 2)) mm): the voxel spacing looks too large")
        }
        return problems
    }

    func anatomicalScales(_ facts: CaseFacts, grid: VolumeShape, spacing: VoxelSpacing, _ limits: CheckThresholds) -> [Measurement] {
        /// The accepted range a pair of thresholds names (`<name>Low<unit>`, `<name>High<unit>`).
        func range(_ name: String, _ unit: String = "MM") -> ClosedRange<Double> {
            let low = limits["\(name)Low\(unit)"]
            return low...max(low, limits["\(name)High\(unit)"])
        }
        var scales: [Measurement] = []
        let left = facts.structures[StructureChannel.femurLeft]?.geometry, right = facts.structures[StructureChannel.femurRight]?.geometry
        if let l = left?.centroidVoxel, let r = right?.centroidVoxel {
            scales.append(Measurement(key: "femurSeparationMM", valueMM: abs(l[1] - r[1]) * spacing.xMM, range: range("femurSeparation"),
                                      lowerBoundOnly: false, description: "femoral heads' centroid distance", unit: "mm", axes: "in-plane"))
        }
        let depths = [left?.box, right?.box].compactMap { $0 }.map { Double($0.rows.count) * spacing.yMM }
        if !depths.isEmpty {
            scales.append(Measurement(key: "femurDepthMM", valueMM: depths.reduce(0, +) / Double(depths.count), range: range("femurDepth"),
                                      lowerBoundOnly: false, description: "femurs' anterior–posterior extent", unit: "mm", axes: "in-plane"))
        }
        if let prostate = facts.structures[StructureChannel.prostate], !prostate.isEmpty {
            scales.append(Measurement(key: "prostateVolumeCC", valueMM: Double(prostate.geometry.voxels) * spacing.voxelVolumeCC,
                                      range: range("prostateVolume", "CC"), lowerBoundOnly: false, description: "prostate volume", unit: "cc", axes: "all"))
        }
        if let width = bodyWidth(facts, grid: grid) {
            scales.append(Measurement(key: "bodyWidthMM", valueMM: Double(width.columns) * spacing.xMM, range: range("bodyWidth"),
                                      lowerBoundOnly: width.cut,
                                      description: width.cut ? "body width (cut by the field: at least)" : "body width",
                                      unit: "mm", axes: "in-plane"))
        }
        return scales
    }

    /// The body's width in columns along the row and slice of the prostate's centroid, and whether
    /// the field of view cuts it there.
    func bodyWidth(_ facts: CaseFacts, grid: VolumeShape) -> (columns: Int, cut: Bool)? {
        guard let centre = (facts.structures[StructureChannel.prostate]?.geometry.centroidVoxel
                  ?? facts.structures[StructureChannel.ptv70]?.geometry.centroidVoxel),
              let tissue = CTTissue(ct: facts.ct, grid: grid),
              let columns = tissue.tissueColumns(row: Int(centre[0].rounded()), slice: Int(centre[2].rounded())) else { return nil }
        return (columns.count, columns.lowerBound == 0 || columns.upperBound == grid.columns - 1)
    }
}

import Audit
import DoseCase

/// The slice panels of one finding's evidence: the planes through one voxel, CT in grey at the
/// soft-tissue window, optionally the dose in viridis above 5 Gy, outlines and points in their
/// colours, a legend, and a caption saying where the planes cross. Conventions as every slice
/// figure (`SliceFigures`): radiological view, square pixels, edge letters.
struct EvidenceSlices {
    let context: EvidenceContext
    let title: String
    let planes: [SlicePlane]
    let voxel: VoxelIndex
    var showsDose = false
    var outlines: [EvidenceOutline] = []
    var points: [EvidencePoint] = []
    /// The last caption line: what is drawn, in words.
    var drawn: String = ""
    /// Panel titles that say more than the plane (the face a structure is cut at).
    var titles: [SlicePlane: String] = [:]

    /// Dose below this is not coloured, as in the evaluation report's colourwash.
    static let doseThresholdGy = 5.0

    func figure() throws -> ImageFigure {
        let spacing = context.spacingMM
        let pixelMM = try PlaneSampler.pixelMM(shape: context.grid, spacingMM: spacing)
        let samplers = try planes.map { try PlaneSampler(plane: $0, shape: context.grid, spacingMM: spacing, through: voxel, pixelMM: pixelMM) }
        let ct = context.ct
        let gyPerUnit = Float(context.facts.doseScaleGy)
        let doses = try showsDose ? context.storedDose.map { dose in try samplers.map { try $0.bilinear(dose, name: "dose").map { $0 * gyPerUnit } } } : nil
        var scale: ColourScale?
        if let doses {
            let largest = doses.flatMap(\.values).filter(\.isFinite).max().map(Double.init) ?? Self.doseThresholdGy
            let upper = ChartTicks(covering: Self.doseThresholdGy, max((largest * 100).rounded() / 100, Self.doseThresholdGy + 1)).upper
            scale = try ColourScale(map: .dose, lower: Self.doseThresholdGy, upper: upper, label: "Dose (Gy)")
        }
        let panels = try samplers.enumerated().map { index, sampler in
            SlicePanel(
                title: titles[sampler.plane] ?? (sampler.plane == .sagittal ? sampler.plane.title : "\(sampler.plane.title) — patient's left on the right"),
                plane: sampler.plane, fixedIndex: sampler.fixedIndex, ct: try ct.map { try sampler.bilinear($0, name: "CT") },
                ctUnits: .pipeline, ctWindow: .softTissueCT,
                overlay: doses?[index].masked { $0 > Float(Self.doseThresholdGy) }, scale: scale,
                outlines: try outlines.map { SliceOutline(mask: try $0.sample(sampler), colour: $0.colour) },
                markers: points.map { point in marker(point, on: sampler) })
        }
        let position = context.millimetres([Double(voxel.row), Double(voxel.column), Double(voxel.slice)])
        let caption = [
            "Planes through voxel \(voxel) = (\(position)) mm from the first voxel (row, column, slice)"
                + (points.isEmpty ? "." : "; a ring marks a point where it projects onto each plane."),
            "Radiological view: patient left on image right; pixels \(MarkupNumber.format(pixelMM, decimals: 2)) mm; "
                + (ct == nil ? "no CT" : "CT W 400 / L 40 HU") + (scale == nil ? "" : "; dose above 5 Gy in viridis") + ".",
        ] + (drawn.isEmpty ? [] : [drawn])
        var layout = SliceFigureLayout(title: title, rows: [panels], scale: scale, caption: caption)
        // Points carry their labels on the image; the legend names the outlines.
        layout.legend = outlines.map { ($0.label, $0.colour) }
        return try layout.figure()
    }

    private func marker(_ point: EvidencePoint, on sampler: PlaneSampler) -> SliceMarker {
        let (x, y) = sampler.position(row: point.voxel[0], column: point.voxel[1], slice: point.voxel[2])
        return SliceMarker(label: point.label, colour: point.colour, x: x, y: y, data: [
            ("data-row", ChartMarks.exact(point.voxel[0])), ("data-column", ChartMarks.exact(point.voxel[1])),
            ("data-slice", ChartMarks.exact(point.voxel[2])),
        ])
    }
}

import DoseCase
import NumpyFormat

/// The slice figures of a case report: dose colourwash, dose difference and gamma, each through
/// one voxel (the caller's choice, usually the rounded PTV70 centroid) in the three planes.
///
/// Conventions shared by all three: radiological view (`SlicePlane`), square pixels of
/// `PlaneSampler.pixelMM` (the grid's finest spacing, or finer for a small grid), CT in grey at
/// `ctWindow` (soft tissue W 400 / L 40 HU unless told), the overlay at
/// `SlicePanel.overlayOpacity` over it. Only the three planes are read from each volume.
///
/// `spacingMM` is (row, column, slice) in mm (`VoxelSpacing.millimetres`). Doses are multiplied
/// by `gyPerDoseUnit` as they are read: pass 70 for the case format's normalised `dose` (spec
/// npz-case-format.md, "Keys"), 1 for doses already in Gy.
public enum SliceFigures {
    /// Prediction (top row) above reference (bottom row), axial / coronal / sagittal, dose in
    /// viridis where it exceeds `thresholdGy`, on one scale from `thresholdGy` to `maxGy` (by
    /// default the larger of both doses in the drawn planes, rounded up to a tick). `outline`
    /// (a mask on the same grid, e.g. PTV70) is drawn as its edge in red.
    public static func colourwash(
        ct: Volume<Float>?, ctUnits: CTUnits = .pipeline, ctWindow: ColourScale = .softTissueCT,
        referenceGy: Volume<Float>, predictionGy: Volume<Float>, gyPerDoseUnit: Double = 1,
        spacingMM: [Double], through voxel: VoxelIndex, thresholdGy: Double = 5, maxGy: Double? = nil,
        outline: Volume<UInt8>? = nil, title: String = "Dose: prediction (top) and reference (bottom)"
    ) throws -> ImageFigure {
        let planes = try PlaneSet(grid: referenceGy.shape, spacingMM: spacingMM, through: voxel)
        try planes.check(ct: ct, others: [("prediction", predictionGy.shape)] + (outline.map { [("outline", $0.shape)] } ?? []))
        let threshold = try checkedThreshold(thresholdGy)
        let prediction = try planes.doses(predictionGy, name: "prediction", gyPerDoseUnit: gyPerDoseUnit)
        let reference = try planes.doses(referenceGy, name: "reference", gyPerDoseUnit: gyPerDoseUnit)
        let sampledMax = roundedToCentigray((prediction + reference).flatMap(\.values).max().map(Double.init) ?? threshold)
        let upper = maxGy ?? ChartTicks(covering: threshold, max(sampledMax, threshold + 1)).upper
        let scale = try ColourScale(map: .dose, lower: threshold, upper: upper, label: "Dose (Gy)")
        let outlines = try outline.map { mask in try planes.samplers.map { try $0.nearest(mask, name: "outline") } }
        let rows = try [("Prediction", prediction), ("Reference", reference)].map { name, doses in
            try planes.panels(ct: ct, ctUnits: ctUnits, ctWindow: ctWindow, scale: scale, titled: name, outlines: outlines) { plane in
                doses[plane].masked { $0 > Float(threshold) }
            }
        }
        return try SliceFigureLayout(title: title, rows: rows, scale: scale, caption: planes.caption(
            "dose shown above \(number(threshold)) Gy, viridis to \(number(upper)) Gy" + (outline == nil ? "" : "; outline in red"),
            ctWindow: ct == nil ? nil : ctWindow)).figure()
    }

    /// Prediction − reference in Gy, blue (prediction lower) – white – red (prediction higher),
    /// symmetric about 0 to ±`limitGy` (by default the largest |difference| drawn, rounded up to a
    /// tick), shown where either dose exceeds `thresholdGy`.
    public static func difference(
        ct: Volume<Float>?, ctUnits: CTUnits = .pipeline, ctWindow: ColourScale = .softTissueCT,
        referenceGy: Volume<Float>, predictionGy: Volume<Float>, gyPerDoseUnit: Double = 1,
        spacingMM: [Double], through voxel: VoxelIndex, thresholdGy: Double = 5, limitGy: Double? = nil,
        title: String = "Dose difference: prediction − reference"
    ) throws -> ImageFigure {
        let planes = try PlaneSet(grid: referenceGy.shape, spacingMM: spacingMM, through: voxel)
        try planes.check(ct: ct, others: [("prediction", predictionGy.shape)])
        let threshold = try checkedThreshold(thresholdGy)
        let prediction = try planes.doses(predictionGy, name: "prediction", gyPerDoseUnit: gyPerDoseUnit)
        let reference = try planes.doses(referenceGy, name: "reference", gyPerDoseUnit: gyPerDoseUnit)
        let differences = zip(prediction, reference).map { predicted, referenced in
            DisplaySlice(width: predicted.width, height: predicted.height, values: zip(predicted.values, referenced.values).map { p, r in
                max(p, r) > Float(threshold) ? p - r : .nan
            })
        }
        let largest = roundedToCentigray(differences.flatMap(\.values).filter { !$0.isNaN }.map { Double(abs($0)) }.max() ?? 0)
        let limit = limitGy ?? ChartTicks(covering: 0, largest).upper
        let scale = try ColourScale(map: .difference, lower: -limit, upper: limit, label: "Prediction − reference (Gy)")
        let row = try planes.panels(ct: ct, ctUnits: ctUnits, ctWindow: ctWindow, scale: scale, titled: "Difference", outlines: nil) {
            differences[$0]
        }
        return try SliceFigureLayout(title: title, rows: [row], scale: scale, caption: planes.caption(
            "shown where either dose exceeds \(number(threshold)) Gy; blue: prediction lower, red: higher, ±\(number(limit)) Gy",
            ctWindow: ct == nil ? nil : ctWindow)).figure()
    }

    /// Gamma index on 0…2 (γ ≤ 1 in blues, γ > 1 orange to red, γ ≥ 2 deepest red); NaN (not
    /// evaluated, e.g. below the low-dose cutoff) is transparent. The gamma volume must be on the
    /// CT's grid (throws `ImageError.gridMismatch` for a decimated one: resample it first, this
    /// figure does not guess how it was decimated).
    public static func gamma(
        ct: Volume<Float>?, ctUnits: CTUnits = .pipeline, ctWindow: ColourScale = .softTissueCT,
        gamma: Volume<Float>, spacingMM: [Double], through voxel: VoxelIndex, title: String = "Gamma index"
    ) throws -> ImageFigure {
        let planes = try PlaneSet(grid: ct?.shape ?? gamma.shape, spacingMM: spacingMM, through: voxel)
        try planes.check(ct: ct, others: [("gamma", gamma.shape)])
        let scale = try ColourScale(map: .gamma, lower: 0, upper: 2, label: "γ (≤ 1 passes)")
        let values = try planes.samplers.map { try $0.nearest(gamma, name: "gamma") }
        let row = try planes.panels(ct: ct, ctUnits: ctUnits, ctWindow: ctWindow, scale: scale, titled: "Gamma", outlines: nil) {
            values[$0]
        }
        return try SliceFigureLayout(title: title, rows: [row], scale: scale, caption: planes.caption(
            "γ ≤ 1 (pass) in blues, γ > 1 (fail) orange to red; not evaluated: no colour", ctWindow: ct == nil ? nil : ctWindow)).figure()
    }

    private static func checkedThreshold(_ thresholdGy: Double) throws -> Double {
        guard thresholdGy.isFinite, thresholdGy >= 0 else {
            throw ImageError.invalidParameter(name: "dose threshold (Gy)", value: thresholdGy, expected: "a finite number ≥ 0")
        }
        return thresholdGy
    }

    /// A sampled extreme to 0.01 Gy before it picks a scale's end, so float noise (70.000004 Gy)
    /// does not push the end a whole tick up.
    private static func roundedToCentigray(_ gy: Double) -> Double { (gy * 100).rounded() / 100 }

    static func number(_ value: Double) -> String { MarkupNumber.format(value, decimals: 1) }
}

/// The three planes of one figure through one voxel, on one grid.
private struct PlaneSet {
    let samplers: [PlaneSampler]
    let spacingMM: [Double]

    init(grid: VolumeShape, spacingMM: [Double], through voxel: VoxelIndex) throws {
        let pixelMM = try PlaneSampler.pixelMM(shape: grid, spacingMM: spacingMM)
        samplers = try SlicePlane.allCases.map {
            try PlaneSampler(plane: $0, shape: grid, spacingMM: spacingMM, through: voxel, pixelMM: pixelMM)
        }
        self.spacingMM = spacingMM
    }

    /// Every volume must share the grid, checked before any is read.
    func check(ct: Volume<Float>?, others: [(String, VolumeShape)]) throws {
        let grid = samplers[0]
        if let ct { try grid.checkGrid(ct.shape, name: "CT") }
        for (name, shape) in others { try grid.checkGrid(shape, name: name) }
    }

    func doses(_ volume: Volume<Float>, name: String, gyPerDoseUnit: Double) throws -> [DisplaySlice<Float>] {
        guard gyPerDoseUnit.isFinite, gyPerDoseUnit > 0 else {
            throw ImageError.invalidParameter(name: "Gy per dose unit", value: gyPerDoseUnit, expected: "a positive number")
        }
        return try samplers.map { sampler in
            let slice = try sampler.bilinear(volume, name: name)
            return gyPerDoseUnit == 1 ? slice : slice.map { $0 * Float(gyPerDoseUnit) }
        }
    }

    /// One panel per plane: `overlay(planeIndex)` gives its overlay values (NaN = none).
    func panels(ct: Volume<Float>?, ctUnits: CTUnits, ctWindow: ColourScale, scale: ColourScale, titled name: String,
                outlines: [DisplaySlice<UInt8>]?, overlay: (Int) -> DisplaySlice<Float>) throws -> [SlicePanel] {
        try samplers.enumerated().map { index, sampler in
            SlicePanel(title: "\(name) — \(sampler.plane.rawValue)", plane: sampler.plane, fixedIndex: sampler.fixedIndex, ct: try ct.map { try sampler.bilinear($0, name: "CT") },
                       ctUnits: ctUnits, ctWindow: ctWindow, overlay: overlay(index), scale: scale,
                       outlines: outlines.map { [SliceOutline(mask: $0[index], colour: SlicePanel.outlineColour)] } ?? [])
        }
    }

    /// Where the planes cross (voxel index and mm from the grid's first voxel centre: the case
    /// format stores no origin), then the view and what is drawn.
    func caption(_ drawn: String, ctWindow: ColourScale?) -> [String] {
        let voxel = samplers[0].voxel
        let position = [voxel.row, voxel.column, voxel.slice].enumerated().map { axis, index in
            SliceFigures.number(Double(index) * spacingMM[axis])
        }
        let ct = ctWindow.map { "CT W \(SliceFigures.number($0.upper - $0.lower)) / L \(SliceFigures.number(($0.upper + $0.lower) / 2)) HU" }
            ?? "no CT"
        return [
            "Planes through voxel \(voxel) = (\(position.joined(separator: ", "))) mm from the first voxel (row, column, slice).",
            "Radiological view: patient left on image right; pixels \(SliceFigures.number(samplers[0].pixelMM)) mm; \(ct); \(drawn).",
        ]
    }
}

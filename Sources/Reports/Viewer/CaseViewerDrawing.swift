import DoseCase
import Foundation
import NumpyFormat
import Support

/// The heavy half of a viewer page: the case's volumes on the shown grid (`ViewerGrid`) as PNG
/// sheets (`ViewerLayer`), with the structures, the dose scale and the voxel the page opens at.
/// Made apart from the page's text so a caller can draw while the case is being audited, and so
/// the volumes can be released before the page is assembled.
public struct CaseViewerDrawing: Sendable {
    /// Dose below this is not coloured, as in the report's colourwash figures (`SliceFigures`).
    public static let doseThresholdGy = 5.0

    public let grid: ViewerGrid
    public let spacing: VoxelSpacing
    /// The factor the stored dose is multiplied by to give Gy.
    public let gyPerDoseUnit: Double
    /// Nil without a dose.
    public let doseScale: ColourScale?
    let ctWindow: ColourScale?
    let structures: [ViewerStructure]
    let layout: ViewerLayer.SheetLayout
    /// Each layer's name and checksum, in page order.
    let layers: [(name: String, checksum: Int)]
    let sheets: [ViewerPageLayout.Sheet]
    /// Shown-grid (row, column, slice) of the page's first view.
    let start: [Int]

    /// `gyPerDoseUnit` is 70 for the case format (spec npz-case-format.md, "Keys": every consumer
    /// multiplies the stored dose by 70 Gy). At least one of `ct`, `dose` and `masks` must be given,
    /// all on one grid; `file` names the case in errors.
    public init(file: String, spacing: VoxelSpacing, ct: Volume<Float>?, ctUnits: CTUnits = .pipeline, dose: Volume<Float>?,
                gyPerDoseUnit: Double = Prescription.consumerScaleGy, masks: ChannelStack<UInt8>?) throws {
        let shapes = [("CT", ct?.shape), ("dose", dose?.shape), ("masks", masks?.shape)].compactMap { name, shape in shape.map { (name, $0) } }
        guard let caseShape = shapes.first?.1 else { throw ViewerError.nothingToShow(file: file) }
        for (name, shape) in shapes.dropFirst() where shape != caseShape {
            throw ImageError.gridMismatch(volume: name, expected: caseShape, found: shape)
        }
        guard gyPerDoseUnit.isFinite, gyPerDoseUnit > 0 else {
            throw ImageError.invalidParameter(name: "Gy per dose unit", value: gyPerDoseUnit, expected: "a positive number")
        }
        let grid = try ViewerGrid(caseShape: caseShape, caseSpacingMM: spacing.millimetres)
        let window = ColourScale.softTissueCT
        let doseScale = try dose.map { try Self.scale(of: $0, gyPerDoseUnit: gyPerDoseUnit) }
        var layers: [ViewerLayer] = []
        if let ct { layers.append(.ct(ct, units: ctUnits, window: window, grid: grid)) }
        if let dose, let doseScale { layers.append(.dose(dose, gyPerDoseUnit: gyPerDoseUnit, topGy: doseScale.upper, grid: grid)) }
        let structures = masks.map { Self.structureEntries($0, spacing: spacing) } ?? []
        if let masks {
            let groups = (masks.channelCount + ViewerLayer.structuresPerLayer - 1) / ViewerLayer.structuresPerLayer
            layers += (0..<groups).map { ViewerLayer.structures(masks, group: $0, grid: grid) }
        }
        let layout = ViewerLayer.SheetLayout(grid: grid.shape)
        self.grid = grid
        self.spacing = spacing
        self.gyPerDoseUnit = gyPerDoseUnit
        self.doseScale = doseScale
        ctWindow = ct == nil ? nil : window
        self.structures = structures
        self.layout = layout
        self.layers = layers.map { ($0.name, $0.checksum) }
        sheets = try Self.encodedSheets(layers, grid: grid.shape, layout: layout)
        start = Self.startVoxel(structures: structures, layers: layers, grid: grid.shape)
    }

    /// Dose from the threshold to the largest finite dose, rounded up to a tick (as `SliceFigures`).
    private static func scale(of dose: Volume<Float>, gyPerDoseUnit: Double) throws -> ColourScale {
        var largest = -Float.infinity
        for value in dose.elements where value.isFinite && value > largest { largest = value }
        let maximumGy = largest.isFinite ? Double(largest) * gyPerDoseUnit : 0
        let upper = ChartTicks(covering: doseThresholdGy, max(maximumGy, doseThresholdGy + 1)).upper
        return try ColourScale(map: .dose, lower: doseThresholdGy, upper: upper, label: "Dose (Gy)")
    }

    /// The colour of each of the dose layer's 256 levels (level × top / 255 Gy); nil at or below
    /// the threshold, where the CT shows through.
    static func doseColours(_ scale: ColourScale) -> [String?] {
        (0...255).map { level in
            let gy = Double(level) / 255 * scale.upper
            return gy > scale.lower ? scale.colour(of: gy).hex : nil
        }
    }

    private static func structureEntries(_ masks: ChannelStack<UInt8>, spacing: VoxelSpacing) -> [ViewerStructure] {
        let size = masks.shape.voxelCount
        return masks.catalog.channels.enumerated().map { position, channel in
            var inside = 0
            masks.elements[(position * size)..<((position + 1) * size)].withUnsafeBufferPointer { voxels in
                for value in voxels where value != 0 { inside += 1 }
            }
            return ViewerStructure(name: channel.name, channel: channel.index, colour: ChartPalette.structureColour(channel.name, index: position),
                                   layer: "structures-\(position / ViewerLayer.structuresPerLayer)",
                                   bit: position % ViewerLayer.structuresPerLayer, volumeCC: Double(inside) * spacing.voxelVolumeCC)
        }
    }

    /// Where the page opens, on the shown grid: the PTV70's centre of mass when it has voxels (the
    /// first structure with voxels otherwise), else the grid's centre.
    private static func startVoxel(structures: [ViewerStructure], layers: [ViewerLayer], grid: VolumeShape) -> [Int] {
        let centre = [grid.rows / 2, grid.columns / 2, grid.slices / 2]
        guard let target = structures.first(where: { $0.name == "PTV70" && $0.volumeCC > 0 }) ?? structures.first(where: { $0.volumeCC > 0 }),
              let bytes = layers.first(where: { $0.name == target.layer })?.bytes else { return centre }
        let bit = UInt8(1) << UInt8(target.bit)
        let plane = grid.rows * grid.columns
        var (sum, count) = ([0, 0, 0], 0)
        for index in bytes.indices where bytes[index] & bit != 0 {
            sum[0] += index % plane / grid.columns
            sum[1] += index % grid.columns
            sum[2] += index / plane
            count += 1
        }
        guard count > 0 else { return centre }
        return sum.map { Int((Double($0) / Double(count)).rounded()) }
    }

    /// Every layer's sheets as PNG, encoded on all cores (the page's largest cost: a full-size case
    /// has tens of megapixels to filter and deflate).
    private static func encodedSheets(_ layers: [ViewerLayer], grid: VolumeShape,
                                      layout: ViewerLayer.SheetLayout) throws -> [ViewerPageLayout.Sheet] {
        let jobs = layers.flatMap { layer in (0..<layout.sheetCount(slices: grid.slices)).map { (layer, $0) } }
        let results = LockedBox([Int: Result<[UInt8], any Error>]())
        DispatchQueue.concurrentPerform(iterations: jobs.count) { job in
            let (layer, sheet) = jobs[job]
            let encoded = Result { try layer.sheet(sheet, grid: grid, layout: layout) }
            results.withLock { $0[job] = encoded }
        }
        let encoded = results.withLock { $0 }
        return try jobs.indices.map { job in
            guard let result = encoded[job] else { throw ViewerError.sheetMissing(layer: jobs[job].0.name, sheet: jobs[job].1) }
            return ViewerPageLayout.Sheet(layer: jobs[job].0.name, index: jobs[job].1, png: try result.get())
        }
    }
}

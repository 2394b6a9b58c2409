import DoseCase
import Foundation

/// One volume of the case viewer as one byte per shown voxel, in (slice, row, column) order, and
/// how the page carries it: greyscale PNG "sheets", each a grid of consecutive axial slices.
///
/// PNG because a browser decodes it natively and losslessly, offline, and DEFLATE shrinks the
/// soft-tissue CT about twofold and dose and structure bits far more; sheets because one image of
/// a whole case would exceed what libxml2 parses in one attribute (10 MB) and what some browsers
/// decode at once.
struct ViewerLayer: Sendable {
    /// At most 4 Mi pixels a sheet: even incompressible bytes make a data URI under 6 MB.
    static let maximumSheetPixels = 1 << 22
    /// Structures per layer: one bit each.
    static let structuresPerLayer = 8

    /// How a layer's slices are tiled: `slicesPerSheet` slices a sheet, `columns` tiles a sheet row,
    /// filled left to right, top to bottom. The same for every layer of a page.
    struct SheetLayout: Sendable, Equatable {
        let slicesPerSheet: Int
        let columns: Int

        init(grid: VolumeShape) {
            slicesPerSheet = max(1, min(grid.slices, ViewerLayer.maximumSheetPixels / max(1, grid.rows * grid.columns)))
            // Near-square sheets: no side grows past what `PNGEncoder` accepts.
            columns = Int(Double(slicesPerSheet).squareRoot().rounded(.up))
        }

        func sheetCount(slices: Int) -> Int { (slices + slicesPerSheet - 1) / slicesPerSheet }
    }

    /// `ct`, `dose`, `structures-0`, `structures-1`, …: the names the page's script reads.
    let name: String
    let bytes: [UInt8]

    /// Σ byte × (index mod 251 + 1): the page's script recomputes it after decoding the sheets and
    /// refuses to draw when it differs (a browser that colour-managed a sheet would move contours
    /// and doses silently). Position-weighted, so misplaced tiles are caught too.
    var checksum: Int {
        var (sum, weight) = (0, 1)
        bytes.withUnsafeBufferPointer { bytes in
            for byte in bytes {
                sum += Int(byte) * weight
                weight = weight == 251 ? 1 : weight + 1
            }
        }
        return sum
    }

    /// Sheet `index` of the layer as a PNG file: slices `index × slicesPerSheet …`, tiled.
    func sheet(_ index: Int, grid: VolumeShape, layout: SheetLayout) throws -> [UInt8] {
        let slice = grid.rows * grid.columns
        let first = index * layout.slicesPerSheet
        let count = max(0, min(layout.slicesPerSheet, grid.slices - first))
        let tileRows = max(1, (count + layout.columns - 1) / layout.columns)
        let width = layout.columns * grid.columns
        var pixels = [UInt8](repeating: 0, count: width * tileRows * grid.rows)
        for tile in 0..<count {
            let (left, top) = ((tile % layout.columns) * grid.columns, (tile / layout.columns) * grid.rows)
            for row in 0..<grid.rows {
                let from = (first + tile) * slice + row * grid.columns
                let to = (top + row) * width + left
                pixels.replaceSubrange(to..<(to + grid.columns), with: bytes[from..<(from + grid.columns)])
            }
        }
        return try PNGEncoder.encode(grey: pixels, width: width, height: tileRows * grid.rows)
    }

    /// CT as the grey levels of `window` (0 = its lower end or below, 255 = its upper end or above).
    static func ct(_ volume: Volume<Float>, units: CTUnits, window: ColourScale, grid: ViewerGrid) -> ViewerLayer {
        let means = grid.blockMeans(volume.elements[...]) { $0 }
        return ViewerLayer(name: "ct", bytes: means.map { level(window.fraction(of: units.hounsfield($0))) })
    }

    /// Dose in Gy (`gyPerDoseUnit` × stored) as 0…255 over 0…`topGy`.
    static func dose(_ volume: Volume<Float>, gyPerDoseUnit: Double, topGy: Double, grid: ViewerGrid) -> ViewerLayer {
        let means = grid.blockMeans(volume.elements[...]) { $0 }
        return ViewerLayer(name: "dose", bytes: means.map { level(Double($0) * gyPerDoseUnit / topGy) })
    }

    /// Bit `b` of each byte of layer `group` is structure `group × 8 + b`; a shown voxel is inside
    /// when at least half of its case voxels are.
    static func structures(_ masks: ChannelStack<UInt8>, group: Int, grid: ViewerGrid) -> ViewerLayer {
        var bytes = [UInt8](repeating: 0, count: grid.shape.voxelCount)
        let size = masks.shape.voxelCount
        let first = group * structuresPerLayer
        for channel in first..<min(first + structuresPerLayer, masks.channelCount) {
            let fractions = grid.blockMeans(masks.elements[(channel * size)..<((channel + 1) * size)]) { $0 == 0 ? 0 : 1 }
            let bit = UInt8(1) << UInt8(channel - first)
            for index in fractions.indices where fractions[index] >= 0.5 { bytes[index] |= bit }
        }
        return ViewerLayer(name: "structures-\(group)", bytes: bytes)
    }

    /// A fraction as one of 256 levels; NaN (a non-finite voxel, which the audit reports) is 0.
    private static func level(_ fraction: Double) -> UInt8 {
        guard !fraction.isNaN else { return 0 }
        return UInt8((min(max(fraction, 0), 1) * 255).rounded())
    }
}

import Support
import DoseCase

/// Why a slice image or figure could not be made. Each case says what was expected and what was
/// found; `code` is stable for tests and logs.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Pixel bytes that do not fill `width × height` pixels of `channels` bytes each.
    case pixelCountMismatch(width: Int, height: Int, channels: Int, found: Int)
    /// A width or height PNG cannot hold (zero, negative, or beyond `maximum`).
    case unsupportedImageSize(width: Int, height: Int, maximum: Int)
    /// ISA-L's DEFLATE returned `status` (its `COMP_OK` is 0, `STATELESS_OVERFLOW` −1).
    case compressionFailed(status: Int32)
    /// Two volumes drawn together must share a grid; `volume` names the one that does not.
    case gridMismatch(volume: String, expected: VolumeShape, found: VolumeShape)
    /// Elements held outside a `Volume` (one channel of a stack) that do not fill the grid.
    case elementCountMismatch(volume: String, expected: Int, found: Int)
    /// The voxel the planes pass through lies outside the grid.
    case voxelOutsideGrid(voxel: VoxelIndex, shape: VolumeShape)
    /// Spacing must be three positive, finite millimetre values (row, column, slice).
    case invalidSpacing([Double])
    /// A display parameter (`name`) that is not a finite number in its allowed range.
    case invalidParameter(name: String, value: Double, expected: String)

    public var code: String {
        switch self {
        case .pixelCountMismatch: "image.pixel_count"
        case .unsupportedImageSize: "image.size"
        case .compressionFailed: "image.deflate"
        case .gridMismatch: "image.grid_mismatch"
        case .elementCountMismatch: "image.element_count"
        case .voxelOutsideGrid: "image.voxel_outside_grid"
        case .invalidSpacing: "image.spacing"
        case .invalidParameter: "image.parameter"
        }
    }

    public var description: String {
        switch self {
        case let .pixelCountMismatch(width, height, channels, found):
            "image of \(width)×\(height) pixels needs \(width * height * channels) bytes (\(channels) per pixel), found \(found)"
        case let .unsupportedImageSize(width, height, maximum):
            "image size \(width)×\(height) is not between 1×1 and \(maximum)×\(maximum) pixels"
        case let .compressionFailed(status):
            "DEFLATE compression failed (ISA-L status \(status))"
        case let .gridMismatch(volume, expected, found):
            "\(volume) is on a \(found) grid, expected the \(expected) grid of the volumes drawn with it"
        case let .elementCountMismatch(volume, expected, found):
            "\(volume) holds \(found) values, expected one per voxel of the grid (\(expected))"
        case let .voxelOutsideGrid(voxel, shape):
            "voxel \(voxel) lies outside the \(shape) grid"
        case let .invalidSpacing(spacing):
            "spacing \(spacing) mm is not three positive, finite values (row, column, slice)"
        case let .invalidParameter(name, value, expected):
            "\(name) = \(value): expected \(expected)"
        }
    }
}

extension ImageError: CodedError {}

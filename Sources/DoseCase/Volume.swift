import NumpyFormat

/// The grid of a case: rows (Y), columns (X), slices (Z), in that axis order (`PatientAxes`).
public struct VolumeShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    public let slices: Int

    public init(rows: Int, columns: Int, slices: Int) {
        self.rows = rows
        self.columns = columns
        self.slices = slices
    }

    public var voxelCount: Int { rows * columns * slices }
    public var dimensions: [Int] { [rows, columns, slices] }
    public var description: String { "\(rows)×\(columns)×\(slices)" }

    /// C-order offset of a voxel: slices vary fastest.
    @inline(__always)
    public func offset(row: Int, column: Int, slice: Int) -> Int { (row * columns + column) * slices + slice }
}

/// One 3D array of a case (CT, dose, one mask) in C order over (Y, X, Z).
public struct Volume<Element: NPYElement>: Sendable {
    public let shape: VolumeShape
    public let elements: [Element]

    public init(shape: VolumeShape, elements: [Element]) throws {
        guard elements.count == shape.voxelCount else {
            throw DoseCaseError.wrongShape(file: "<memory>", key: "volume", expected: shape.description, found: "\(elements.count) elements")
        }
        self.shape = shape
        self.elements = elements
    }

    init(uncheckedShape shape: VolumeShape, elements: [Element]) {
        self.shape = shape
        self.elements = elements
    }

    public subscript(row: Int, column: Int, slice: Int) -> Element {
        elements[shape.offset(row: row, column: column, slice: slice)]
    }
}

/// A (C, Y, X, Z) array — `masks` or `masks_sdf` — with the structure each channel holds.
public struct ChannelStack<Element: NPYElement>: Sendable {
    public let catalog: ChannelCatalog
    public let shape: VolumeShape
    public let elements: [Element]

    init(catalog: ChannelCatalog, shape: VolumeShape, elements: [Element]) {
        self.catalog = catalog
        self.shape = shape
        self.elements = elements
    }

    /// A stack of one channel per catalog entry, each of `shape`.
    public init(catalog: ChannelCatalog, shape: VolumeShape, checkedElements elements: [Element]) throws {
        guard elements.count == catalog.count * shape.voxelCount else {
            throw DoseCaseError.wrongShape(file: "<memory>", key: "channels", expected: "\(catalog.count)×\(shape)",
                                           found: "\(elements.count) elements")
        }
        self.init(catalog: catalog, shape: shape, elements: elements)
    }

    public var channelCount: Int { catalog.count }

    public func channel(_ index: Int) throws -> Volume<Element> {
        guard index >= 0, index < channelCount else {
            throw DoseCaseError.noSuchChannel(channel: "\(index)", available: catalog.channels.map(\.name))
        }
        let size = shape.voxelCount
        return Volume(uncheckedShape: shape, elements: Array(elements[(index * size)..<((index + 1) * size)]))
    }

    public func channel(named name: String) throws -> Volume<Element> {
        guard let index = catalog.index(of: name) else {
            throw DoseCaseError.noSuchChannel(channel: name, available: catalog.channels.map(\.name))
        }
        return try channel(index)
    }
}

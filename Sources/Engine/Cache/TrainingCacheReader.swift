import CHDF5
import Foundation

/// An open training cache (`TrainingCacheFile`'s layout), read box by box: the trainer keeps one
/// open for a whole run instead of reopening the file for every patch. A class because it owns
/// an HDF5 handle, closed when the last reference goes.
public final class TrainingCacheReader {
    public let path: String
    private let file: hid_t

    public init(path: String) throws {
        TrainingCacheFile.quietLibraryErrors()
        let file = H5Fopen(path, dc_h5f_acc_rdonly(), dc_h5p_default())
        guard file >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "open the file") }
        (self.path, self.file) = (path, file)
    }

    deinit { H5Fclose(file) }

    /// The text of an attribute of the root (`object` "/") or of a case group ("cases/<id>").
    public func attribute(_ name: String, of object: String = "/") throws -> String {
        let attribute = try openAttribute(name, of: object)
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        guard H5Tis_variable_str(type) > 0 else { throw TrainingCacheError.missing(file: path, object: "text in attribute \(name) of \(object)") }
        var pointer: UnsafeMutablePointer<CChar>?
        guard H5Aread(attribute, type, &pointer) >= 0, let characters = pointer else {
            throw TrainingCacheError.hdf5(file: path, operation: "read attribute \(name) of \(object)")
        }
        defer { H5free_memory(characters) }
        return String(cString: characters)
    }

    /// A float array attribute (a case's `constraints`).
    public func floatAttribute(_ name: String, of object: String) throws -> [Float] {
        let attribute = try openAttribute(name, of: object)
        defer { H5Aclose(attribute) }
        let space = H5Aget_space(attribute)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        var values = [Float](repeating: 0, count: max(count, 0))
        guard count >= 0, H5Aread(attribute, dc_h5t_native_float(), &values) >= 0 else {
            throw TrainingCacheError.hdf5(file: path, operation: "read attribute \(name) of \(object)")
        }
        return values
    }

    /// The extent of a case's array: (C, Y, X, Z) for `input` and `masks`, (Y, X, Z) for `dose`.
    public func extent(caseId: String, array: String) throws -> [Int] {
        let dataset = try openDataset(caseId: caseId, array: array)
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        defer { H5Sclose(space) }
        return try dimensions(of: space, object: "cases/\(caseId)/\(array)")
    }

    /// The elements of a float array (`input` or `dose`) of one case in the box at `start` of
    /// `size` (spatial axes; every channel of `input`), zero outside the volume. Only the chunks
    /// the box touches are read.
    public func readBox(caseId: String, array: String, start: [Int], size: [Int]) throws -> [Float] {
        try read(caseId: caseId, array: array, start: start, size: size, type: dc_h5t_native_float(), zero: Float(0))
    }

    /// The same for the uint8 `masks` (or `native_masks`).
    public func readMaskBox(caseId: String, array: String = "masks", start: [Int], size: [Int]) throws -> [UInt8] {
        try read(caseId: caseId, array: array, start: start, size: size, type: dc_h5t_native_uint8(), zero: UInt8(0))
    }

    private func read<Element>(caseId: String, array: String, start: [Int], size: [Int], type: hid_t, zero: Element) throws -> [Element] {
        let object = "cases/\(caseId)/\(array)"
        let dataset = try openDataset(caseId: caseId, array: array)
        defer { H5Dclose(dataset) }
        let fileSpace = H5Dget_space(dataset)
        defer { H5Sclose(fileSpace) }
        let extent = try dimensions(of: fileSpace, object: object)
        let rank = extent.count
        guard start.count == 3, size.count == 3, size.allSatisfy({ $0 > 0 }) else {
            throw TrainingCacheError.shape(file: path, object: "a box of \(object) at \(start) of size", found: size)
        }
        let spatial = Array(extent.suffix(3)), channels = rank == 4 ? extent[0] : 1
        let boxCount = size.reduce(1, *)
        var result = [Element](repeating: zero, count: channels * boxCount)
        // The part of the box inside the volume.
        let low = (0..<3).map { max(0, start[$0]) }, high = (0..<3).map { min(spatial[$0], start[$0] + size[$0]) }
        guard (0..<3).allSatisfy({ low[$0] < high[$0] }) else { return result }
        let inside = (0..<3).map { high[$0] - low[$0] }
        var offset = (rank == 4 ? [hsize_t(0)] : []) + low.map { hsize_t($0) }
        var count = (rank == 4 ? [hsize_t(channels)] : []) + inside.map { hsize_t($0) }
        var buffer = [Element](repeating: zero, count: channels * inside.reduce(1, *))
        let memorySpace = H5Screate_simple(Int32(rank), &count, nil)
        defer { H5Sclose(memorySpace) }
        let status = buffer.withUnsafeMutableBytes { bytes in
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &offset, nil, &count, nil) >= 0
                && H5Dread(dataset, type, memorySpace, fileSpace, dc_h5p_default(), bytes.baseAddress) >= 0
        }
        guard status else { throw TrainingCacheError.hdf5(file: path, operation: "read a box of \(object)") }
        var source = 0
        for channel in 0..<channels {
            for y in 0..<inside[0] {
                for x in 0..<inside[1] {
                    let target = channel * boxCount + ((low[0] - start[0] + y) * size[1] + low[1] - start[1] + x) * size[2] + low[2] - start[2]
                    for z in 0..<inside[2] { result[target + z] = buffer[source + z] }
                    source += inside[2]
                }
            }
        }
        return result
    }

    private func openDataset(caseId: String, array: String) throws -> hid_t {
        let dataset = H5Dopen2(file, "cases/\(caseId)/\(array)", dc_h5p_default())
        guard dataset >= 0 else { throw TrainingCacheError.missing(file: path, object: "cases/\(caseId)/\(array)") }
        return dataset
    }

    private func openAttribute(_ name: String, of object: String) throws -> hid_t {
        let attribute = H5Aopen_by_name(file, object, name, dc_h5p_default(), dc_h5p_default())
        guard attribute >= 0 else { throw TrainingCacheError.missing(file: path, object: "attribute \(name) of \(object)") }
        return attribute
    }

    private func dimensions(of space: hid_t, object: String) throws -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dimensions = [hsize_t](repeating: 0, count: max(rank, 1))
        H5Sget_simple_extent_dims(space, &dimensions, nil)
        let extent = dimensions.prefix(max(rank, 0)).map(Int.init)
        guard rank == 3 || rank == 4 else { throw TrainingCacheError.shape(file: path, object: object, found: extent) }
        return extent
    }
}

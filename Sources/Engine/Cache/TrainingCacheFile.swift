import Support
import CHDF5
import DoseCase
import Foundation
import NumpyFormat

/// The training cache (issue 13), an HDF5 file external trainers can read too:
///
///     /                       attributes: format, dataset_version, split, channels, case_ids (JSON text)
///     /cases/<caseId>/input   float32 (C, Y, X, Z): CT then the SDFs, chunks (1, 32, 32, 32)
///     /cases/<caseId>/dose    float32 (Y, X, Z), normalised like the case, chunks 32³
///     /cases/<caseId>/masks   uint8 (C − 1, Y, X, Z): the binary masks in the input's structure
///                             order (an absent structure is all 0), chunks (1, 32, 32, 32)
///     /cases/<caseId>/native_dose, /native_masks
///                             only in a cache resampled in plane (root attribute `resample` > 1),
///                             only for validation cases: dose and masks on the case's own grid,
///                             where validation metrics are computed
///                             group attributes: role, case_hash, filled_channels (JSON text),
///                             constraints (float32[13])
///
/// Datasets are chunked with light compression (deflate level 1), so a patch is read by
/// inflating only the chunks it touches, never the whole case. Written atomically.
public enum TrainingCacheFile {
    public static let format = "dosecurate training cache 1"

    /// HDF5 prints its error stack to stderr by default; failures here become thrown errors
    /// that name the file and the operation instead.
    /// (The setting is per thread in a thread-safe HDF5 build, so it is made before every open.)
    static func quietLibraryErrors() { H5Eset_auto2(dc_h5e_default(), nil, nil) }
    public static let chunkEdge = 32

    public struct Case: Sendable {
        public let caseId: String, role: String, caseHash: String
        /// (1, C, Y, X, Z) network input and (1, 1, Y, X, Z) dose.
        public let input: Tensor, dose: Tensor
        /// (C − 1) × Y × X × Z binary masks, structure channels in the input's order.
        public let masks: [UInt8]
        public let constraints: [Float]
        public let filledChannels: [String]
        /// The dose (Y, X, Z) and masks on the case's own grid, when `input` is resampled.
        public let native: (extent: [Int], dose: [Float], masks: [UInt8])?

        public init(caseId: String, role: String, caseHash: String, input: Tensor, dose: Tensor, masks: [UInt8], constraints: [Float],
                    filledChannels: [String], native: (extent: [Int], dose: [Float], masks: [UInt8])? = nil) {
            (self.caseId, self.role, self.caseHash, self.input, self.dose, self.masks) = (caseId, role, caseHash, input, dose, masks)
            (self.constraints, self.filledChannels, self.native) = (constraints, filledChannels, native)
        }
    }

    /// Writes the cache: `attributes` on the root (text values), then every case `next()` yields,
    /// one in memory at a time.
    public static func write(to path: String, attributes: [String: String], cases next: () throws -> Case?) throws {
        quietLibraryErrors()
        try AtomicFile.publish(to: path) { temporary in
            let file = H5Fcreate(temporary, dc_h5f_acc_trunc(), dc_h5p_default(), dc_h5p_default())
            guard file >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "create the file") }
            defer { H5Fclose(file) }
            var caseIds: [String] = []
            let cases = try group(file, "cases", path: path)
            defer { H5Gclose(cases) }
            while let item = try next() {
                // A `/` in the id would nest HDF5 groups; no case id reaches the cache unchecked.
                if let problem = CaseIdName.problem(with: item.caseId) {
                    throw TrainingCacheError.unsafeCaseId(file: path, caseId: item.caseId, problem: problem)
                }
                let caseGroup = try group(cases, item.caseId, path: path)
                defer { H5Gclose(caseGroup) }
                let spatial = Array(item.input.shape.suffix(3))
                guard item.masks.count == (item.input.shape[1] - 1) * spatial.reduce(1, *) else {
                    throw TrainingCacheError.shape(file: path, object: "cases/\(item.caseId)/masks", found: [item.masks.count])
                }
                try dataset(caseGroup, "input", Array(item.input.shape.dropFirst()), item.input.elements, type: dc_h5t_native_float(), path: path)
                try dataset(caseGroup, "dose", spatial, item.dose.elements, type: dc_h5t_native_float(), path: path)
                try dataset(caseGroup, "masks", [item.input.shape[1] - 1] + spatial, item.masks, type: dc_h5t_native_uint8(), path: path)
                if let native = item.native {
                    guard native.dose.count == native.extent.reduce(1, *), native.masks.count == (item.input.shape[1] - 1) * native.dose.count else {
                        throw TrainingCacheError.shape(file: path, object: "cases/\(item.caseId)/native_dose", found: native.extent)
                    }
                    try dataset(caseGroup, "native_dose", native.extent, native.dose, type: dc_h5t_native_float(), path: path)
                    try dataset(caseGroup, "native_masks", [item.input.shape[1] - 1] + native.extent, native.masks, type: dc_h5t_native_uint8(), path: path)
                }
                try attribute(caseGroup, "role", item.role, path: path)
                try attribute(caseGroup, "case_hash", item.caseHash, path: path)
                try attribute(caseGroup, "filled_channels", json(item.filledChannels), path: path)
                try floatAttribute(caseGroup, "constraints", item.constraints, path: path)
                caseIds.append(item.caseId)
            }
            for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { try attribute(file, key, value, path: path) }
            try attribute(file, "format", format, path: path)
            try attribute(file, "case_ids", json(caseIds), path: path)
        }
    }

    // MARK: writing helpers

    private static func group(_ parent: hid_t, _ name: String, path: String) throws -> hid_t {
        let group = H5Gcreate2(parent, name, dc_h5p_default(), dc_h5p_default(), dc_h5p_default())
        guard group >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "create group \(name)") }
        return group
    }

    private static func dataset<Element>(_ parent: hid_t, _ name: String, _ shape: [Int], _ elements: [Element], type: hid_t, path: String) throws {
        var dimensions = shape.map { hsize_t($0) }
        // Chunks of 32³ voxels (one channel at a time for the input).
        var chunk = shape.enumerated().map { axis, extent in hsize_t(shape.count == 4 && axis == 0 ? 1 : max(1, min(extent, chunkEdge))) }
        let space = H5Screate_simple(Int32(shape.count), &dimensions, nil)
        defer { H5Sclose(space) }
        let properties = H5Pcreate(dc_h5p_dataset_create())
        defer { H5Pclose(properties) }
        guard H5Pset_chunk(properties, Int32(shape.count), &chunk) >= 0, H5Pset_deflate(properties, 1) >= 0 else {
            throw TrainingCacheError.hdf5(file: path, operation: "set chunking of \(name)")
        }
        let dataset = H5Dcreate2(parent, name, type, space, dc_h5p_default(), properties, dc_h5p_default())
        guard dataset >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "create dataset \(name)") }
        defer { H5Dclose(dataset) }
        guard elements.withUnsafeBytes({ H5Dwrite(dataset, type, dc_h5s_all(), dc_h5s_all(), dc_h5p_default(), $0.baseAddress) }) >= 0 else {
            throw TrainingCacheError.hdf5(file: path, operation: "write dataset \(name)")
        }
    }

    /// A variable-length UTF-8 string attribute: h5py reads it as `str`, not bytes.
    private static func attribute(_ object: hid_t, _ name: String, _ text: String, path: String) throws {
        let type = H5Tcopy(dc_h5t_c_s1())
        defer { H5Tclose(type) }
        guard H5Tset_size(type, dc_h5t_variable()) >= 0, H5Tset_cset(type, H5T_CSET_UTF8) >= 0 else {
            throw TrainingCacheError.hdf5(file: path, operation: "make a string type for \(name)")
        }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, type, space, dc_h5p_default(), dc_h5p_default())
        guard attribute >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "create attribute \(name)") }
        defer { H5Aclose(attribute) }
        let written = text.withCString { characters in
            var pointer: UnsafePointer<CChar>? = characters
            return H5Awrite(attribute, type, &pointer)
        }
        guard written >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "write attribute \(name)") }
    }

    private static func floatAttribute(_ object: hid_t, _ name: String, _ values: [Float], path: String) throws {
        var dimensions = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dimensions, nil)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, dc_h5t_native_float(), space, dc_h5p_default(), dc_h5p_default())
        guard attribute >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "create attribute \(name)") }
        defer { H5Aclose(attribute) }
        guard H5Awrite(attribute, dc_h5t_native_float(), values) >= 0 else { throw TrainingCacheError.hdf5(file: path, operation: "write attribute \(name)") }
    }

    private static func json(_ strings: [String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(strings), as: UTF8.self)) ?? "[]"
    }
}

public enum TrainingCacheError: Error, Sendable, Equatable, CustomStringConvertible {
    case hdf5(file: String, operation: String)
    case missing(file: String, object: String)
    case shape(file: String, object: String, found: [Int])
    case unsafeCaseId(file: String, caseId: String, problem: String)

    public var description: String {
        switch self {
        case let .hdf5(file, operation): return "\(file): HDF5 could not \(operation)"
        case let .missing(file, object): return "\(file): no \(object) in the training cache"
        case let .shape(file, object, found): return "\(file): \(object) has shape \(found), expected (C, Y, X, Z) or (Y, X, Z)"
        case let .unsafeCaseId(file, caseId, problem):
            return "\(file): case id \(CaseIdName.quoted(caseId)) cannot name a cache group: \(problem)"
        }
    }
}

extension TrainingCacheError: CodedError {
    public var code: String {
        switch self {
        case .hdf5: "training_cache.hdf5"
        case .missing: "training_cache.missing"
        case .shape: "training_cache.shape"
        case .unsafeCaseId: "training_cache.unsafe_case_id"
        }
    }
}

import Support
import CArchive

/// Writes `.npz` archives that `numpy.load` reads back identically: one `KEY.npy` member per
/// array, each in `numpy.save`'s format 1.0 (little-endian, C order), stored or deflated.
public enum NPZWriter {
    public enum Compression: String, Sendable {
        /// Like `numpy.savez`.
        case stored
        /// Like `numpy.savez_compressed`.
        case deflate
    }

    /// Writes `arrays` in the given order to `path`, atomically: the file appears complete or not at all.
    public static func write(_ arrays: [(key: String, array: NPYArray)], to path: String,
                             compression: Compression = .deflate) throws {
        try write(members: arrays.map { ($0.key, NPZContent.array($0.array)) }, to: path, compression: compression)
    }

    /// Writes numeric arrays and pickled object members (the `metadata` dict) in the given order,
    /// atomically. A pickled member's bytes are written as given, after numpy's `|O` header.
    public static func write(members: [(key: String, content: NPZContent)], to path: String,
                             compression: Compression = .deflate) throws {
        var keys = Set<String>()
        for (key, _) in members {
            guard !key.isEmpty, !key.contains("/"), keys.insert(key).inserted else {
                throw NPZError.writeFailed(file: path, reason: "array key '\(key)' is empty, contains '/', or repeats")
            }
        }
        try AtomicFile.publish(to: path) { temporary in
            guard let handle = archive_write_new() else { throw NPZError.writeFailed(file: path, reason: "libarchive could not allocate a writer") }
            defer { archive_write_free(handle) }
            func check(_ status: Int32, _ step: String) throws {
                guard status == dc_archive_ok() else {
                    let reason = archive_error_string(handle).map { String(cString: $0) } ?? "status \(status)"
                    throw NPZError.writeFailed(file: path, reason: "\(step): \(reason)")
                }
            }
            try check(archive_write_set_format_zip(handle), "zip format")
            try check(archive_write_set_options(handle, compression == .stored ? "zip:compression=store" : "zip:compression=deflate"), "compression")
            try check(archive_write_open_filename(handle, temporary), "open")
            for (key, content) in members {
                let preamble = switch content {
                case .array(let array): NPYFile.canonicalHeader(of: array).encodedPreamble()
                case .pickledObject(let object):
                    NPYHeader.encodedPreamble(descr: "|O", fortranOrder: object.fortranOrder, shape: object.shape)
                }
                let dataByteCount = switch content {
                case .array(let array): array.header.dataByteCount
                case .pickledObject(let object): object.pickle.count
                }
                guard let entry = archive_entry_new() else { throw NPZError.writeFailed(file: path, reason: "libarchive could not allocate an entry") }
                defer { archive_entry_free(entry) }
                archive_entry_set_pathname(entry, key + ".npy")
                archive_entry_set_filetype(entry, dc_archive_regular_file_type())
                archive_entry_set_perm(entry, 0o644)
                archive_entry_set_size(entry, Int64(preamble.count + dataByteCount))
                // numpy stamps every member 1980-01-01; a fixed time keeps output reproducible.
                archive_entry_set_mtime(entry, 315_532_800, 0)
                try check(archive_write_header(handle, entry), "member \(key).npy")
                try preamble.withUnsafeBytes { try writeData($0, handle: handle, path: path, key: key) }
                switch content {
                case .array(let array):
                    try array.forEachCanonicalChunk { chunk in try writeData(chunk, handle: handle, path: path, key: key) }
                case .pickledObject(let object):
                    try object.pickle.withUnsafeBytes { try writeData($0, handle: handle, path: path, key: key) }
                }
            }
            try check(archive_write_close(handle), "close")
        }
    }

    private static func writeData(_ bytes: UnsafeRawBufferPointer, handle: OpaquePointer, path: String, key: String) throws {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = archive_write_data(handle, base + offset, bytes.count - offset)
            guard written > 0 else {
                let reason = archive_error_string(handle).map { String(cString: $0) } ?? "write returned \(written)"
                throw NPZError.writeFailed(file: path, reason: "member \(key).npy: \(reason)")
            }
            offset += written
        }
    }
}

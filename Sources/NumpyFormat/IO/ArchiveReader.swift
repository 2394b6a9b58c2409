import CArchive

/// A libarchive read handle over one ZIP file: walks members in archive order and inflates the
/// current member's data into caller-owned memory.
final class ArchiveReader {
    let path: String
    private let handle: OpaquePointer

    /// libarchive's read block size; large blocks keep system-call overhead off the decode path.
    private static let blockSize = 1 << 20

    init(path: String) throws {
        self.path = path
        guard let handle = archive_read_new() else { throw NPZError.cannotOpen(file: path, reason: "libarchive could not allocate a reader") }
        self.handle = handle
        archive_read_support_format_zip(handle)
        guard archive_read_open_filename(handle, path, Self.blockSize) == dc_archive_ok() else {
            let reason = Self.errorText(handle)
            archive_read_free(handle)
            throw NPZError.cannotOpen(file: path, reason: reason)
        }
    }

    deinit { archive_read_free(handle) }

    /// Moves to the next member and returns its name, or nil after the last one.
    func nextMemberName() throws -> String? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        if status == dc_archive_eof() { return nil }
        guard status == dc_archive_ok() || status == dc_archive_warn(), let entry, let name = archive_entry_pathname(entry) else {
            throw NPZError.truncated(file: path, reason: Self.errorText(handle))
        }
        return String(cString: name)
    }

    /// Fills `buffer` with the current member's next bytes; returns how many were written, which is
    /// less than the buffer only at the member's end.
    func read(into buffer: UnsafeMutableRawBufferPointer, member: String) throws -> Int {
        var filled = 0
        while filled < buffer.count, let base = buffer.baseAddress {
            let got = archive_read_data(handle, base + filled, buffer.count - filled)
            if got == 0 { break }
            guard got > 0 else { throw NPZError.corruptMember(file: path, member: member, reason: Self.errorText(handle)) }
            filled += got
        }
        return filled
    }

    /// Reads one more time past the expected end: libarchive verifies the member's CRC-32 only
    /// when it reaches the end of the data, and extra bytes mean the sizes lied.
    func finishMember(_ member: String) throws {
        var probe: UInt8 = 0
        let got = archive_read_data(handle, &probe, 1)
        guard got >= 0 else { throw NPZError.corruptMember(file: path, member: member, reason: Self.errorText(handle)) }
        guard got == 0 else { throw NPZError.corruptMember(file: path, member: member, reason: "member holds more data than its header declares") }
    }

    func skipMember(_ member: String) throws {
        guard archive_read_data_skip(handle) == dc_archive_ok() else {
            throw NPZError.corruptMember(file: path, member: member, reason: Self.errorText(handle))
        }
    }

    private static func errorText(_ handle: OpaquePointer) -> String {
        archive_error_string(handle).map { String(cString: $0) } ?? "libarchive reported an error without a message"
    }
}

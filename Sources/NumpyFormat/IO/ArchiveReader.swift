import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libarchive read handle: walks members in archive order and inflates the current member's
/// data into caller-owned memory. Over a delivery archive (`.zip`, `.tar`, `.tar.gz`), or over an
/// `.npz` that is itself a member of a delivery archive, read straight out of the outer
/// archive's stream without touching the disk. (A `.npz` on disk is read by `ZipMemberInflater`.)
final class ArchiveReader: MemberByteReader {
    /// A file path, or `ARCHIVE!member` for an `.npz` inside a delivery archive.
    let path: String
    private let handle: OpaquePointer
    /// Keeps the outer archive (and the buffer the callback hands libarchive) alive while a
    /// nested reader uses them.
    private let nestedSource: NestedSource?
    /// The size the current entry's header states, if it states one (sizes a nested reader's block).
    private(set) var currentEntrySize: Int?

    /// One entry's header as libarchive reports it.
    struct Entry {
        enum Kind { case regularFile, directory, symbolicLink, special }
        /// The member's path; nil when its bytes are not UTF-8 (see `displayName`).
        let name: String?
        /// The name for a message: the path, or its bytes with those outside printable ASCII as `\xNN`.
        let displayName: String
        let kind: Kind
        /// Inflated size when the entry's header states it.
        let size: Int?

        var isRegularFile: Bool { kind == .regularFile }
    }

    /// The largest read block; large blocks keep system-call overhead off the decode path. Smaller
    /// inputs get a block their own size: a 1 MiB allocation per small archive or nested `.npz` costs
    /// more than reading it (page faults on fresh memory).
    private static let maximumBlockBytes = 1 << 20

    /// A read block for `byteCount` bytes of input (unknown: the largest).
    static func blockBytes(for byteCount: Int?) -> Int {
        min(maximumBlockBytes, max(4096, byteCount ?? maximumBlockBytes))
    }

    /// Reads a delivery archive: ZIP or tar, the latter optionally compressed (gzip, bzip2, xz, zstd).
    init(deliveryPath path: String) throws {
        self.path = path
        nestedSource = nil
        guard let handle = archive_read_new() else { throw NPZError.cannotOpen(file: path, reason: "libarchive could not allocate a reader") }
        self.handle = handle
        archive_read_support_format_zip(handle)
        archive_read_support_format_tar(handle)
        archive_read_support_format_gnutar(handle)
        archive_read_support_filter_all(handle)
        var status = stat()
        let fileBytes = stat(path, &status) == 0 ? Int(status.st_size) : nil
        guard archive_read_open_filename(handle, path, Self.blockBytes(for: fileBytes)) == dc_archive_ok() else {
            // `deinit` frees the handle: the object is fully initialised by now.
            throw NPZError.cannotOpen(file: path, reason: Self.errorText(handle))
        }
    }

    /// Reads the `.npz` that `outer` is positioned at, as the bytes stream out of it. Without a
    /// seekable file there is no central directory: libarchive's streaming ZIP reader walks the
    /// local headers (numpy writes every size there) and still checks every CRC.
    init(npzInside outer: ArchiveReader, member: String) throws {
        path = "\(outer.path)!\(member)"
        let source = NestedSource(outer: outer, member: member)
        nestedSource = source
        guard let handle = archive_read_new() else { throw NPZError.cannotOpen(file: path, reason: "libarchive could not allocate a reader") }
        self.handle = handle
        archive_read_support_format_zip_streamable(handle)
        let client = Unmanaged.passUnretained(source).toOpaque()
        guard archive_read_open(handle, client, nil, { _, client, buffer in
            guard let client, let buffer else { return -1 }
            return Unmanaged<NestedSource>.fromOpaque(client).takeUnretainedValue().nextBlock(buffer)
        }, nil) == dc_archive_ok() else {
            throw NPZError.cannotOpen(file: path, reason: source.failure ?? Self.errorText(handle))
        }
    }

    deinit { archive_read_free(handle) }

    /// Moves to the next member and returns its header, or nil after the last one.
    func nextEntry() throws -> Entry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(handle, &entry)
        if status == dc_archive_eof() { return nil }
        guard status == dc_archive_ok() || status == dc_archive_warn(), let entry else {
            throw NPZError.truncated(file: path, reason: errorText)
        }
        let bytes = archive_entry_pathname(entry).map { UInt8.bytes(ofCString: $0) } ?? []
        let name = RawFileName.text(bytes)
        let kind: Entry.Kind = switch archive_entry_filetype(entry) {
        case dc_archive_regular_file_type(): .regularFile
        case dc_archive_directory_type(): .directory
        case dc_archive_symlink_type(): .symbolicLink
        default: .special
        }
        currentEntrySize = archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : nil
        return Entry(name: name, displayName: name ?? RawFileName.escaped(bytes), kind: kind, size: currentEntrySize)
    }

    /// Fills `buffer` with the current member's next bytes; returns how many were written, which is
    /// less than the buffer only at the member's end.
    func read(into buffer: UnsafeMutableRawBufferPointer, member: String) throws -> Int {
        var filled = 0
        while filled < buffer.count, let base = buffer.baseAddress {
            let got = archive_read_data(handle, base + filled, buffer.count - filled)
            if got == 0 { break }
            guard got > 0 else { throw NPZError.corruptMember(file: path, member: member, reason: errorText) }
            filled += got
        }
        return filled
    }

    /// Reads one more time past the expected end: libarchive verifies the member's CRC-32 only
    /// when it reaches the end of the data, and extra bytes mean the sizes lied.
    func finishMember(_ member: String) throws {
        var probe: UInt8 = 0
        let got = archive_read_data(handle, &probe, 1)
        guard got >= 0 else { throw NPZError.corruptMember(file: path, member: member, reason: errorText) }
        guard got == 0 else { throw NPZError.corruptMember(file: path, member: member, reason: "member holds more data than its header declares") }
    }

    /// libarchive's message, or the outer archive's when a nested read failed underneath.
    private var errorText: String { nestedSource?.failure ?? Self.errorText(handle) }

    private static func errorText(_ handle: OpaquePointer) -> String {
        archive_error_string(handle).map { String(cString: $0) } ?? "libarchive reported an error without a message"
    }
}

/// Feeds a nested reader: each call hands libarchive the outer member's next block.
private final class NestedSource {
    let outer: ArchiveReader
    let member: String
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var failure: String?

    init(outer: ArchiveReader, member: String) {
        self.outer = outer
        self.member = member
        buffer = .allocate(byteCount: ArchiveReader.blockBytes(for: outer.currentEntrySize), alignment: 64)
    }

    deinit { buffer.deallocate() }

    func nextBlock(_ block: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do {
            let got = try outer.read(into: buffer, member: member)
            block.pointee = UnsafeRawPointer(buffer.baseAddress)
            return got
        } catch {
            failure = "\(error)"
            return -1
        }
    }
}

extension UInt8 {
    /// The bytes of a NUL-terminated C string, whatever their encoding.
    static func bytes(ofCString text: UnsafePointer<CChar>) -> [UInt8] {
        var bytes: [UInt8] = []
        var cursor = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        while cursor.pointee != 0 {
            bytes.append(cursor.pointee)
            cursor += 1
        }
        return bytes
    }
}

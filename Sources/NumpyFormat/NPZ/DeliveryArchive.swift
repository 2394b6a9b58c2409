/// A delivery of `.npz` cases packed into one archive (`.zip`, `.tar`, `.tar.gz`), read in place:
/// each case streams straight out of the archive, never extracted to disk. A case inside is named
/// `ARCHIVE!member`.
public struct DeliveryArchive: Sendable {
    public let path: String
    public let maximumArrayBytes: Int

    /// The file name endings read as delivery archives.
    public static let suffixes = [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar.zst"]

    public static func isDeliveryArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return suffixes.contains { lower.hasSuffix($0) }
    }

    public init(path: String, maximumArrayBytes: Int = NPZArchive.defaultMaximumArrayBytes) {
        self.path = path
        self.maximumArrayBytes = maximumArrayBytes
    }

    /// The `.npz` members, in archive order (one pass; their data is skipped).
    public func caseMembers() throws -> [String] {
        var names: [String] = []
        try forEachCase(where: { _ in false }) { _ in } onListed: { names.append($0) }
        return names
    }

    /// One pass through the archive: `body` streams each `.npz` member that `include` accepts; the
    /// others are skipped. A case that fails inside `body` does not stop the pass; a damaged
    /// archive (the outer stream) does, by throwing.
    public func forEachCase(where include: (String) -> Bool, _ body: (StreamedNPZ) throws -> Void) throws {
        try forEachCase(where: include, body, onListed: { _ in })
    }

    private func forEachCase(where include: (String) -> Bool, _ body: (StreamedNPZ) throws -> Void,
                             onListed: (String) -> Void) throws {
        let outer = try ArchiveReader(deliveryPath: path)
        while let entry = try outer.nextEntry() {
            guard entry.isRegularFile, entry.name.lowercased().hasSuffix(".npz") else { continue }
            onListed(entry.name)
            guard include(entry.name) else { continue }
            try body(StreamedNPZ(outer: outer, member: entry.name, maximumArrayBytes: maximumArrayBytes))
        }
    }
}

/// One `.npz` inside a delivery archive, readable once, front to back, while `DeliveryArchive`
/// is positioned at it.
public struct StreamedNPZ {
    /// `ARCHIVE!member`.
    public let name: String
    /// The member's path inside the archive.
    public let member: String
    private let outer: ArchiveReader
    private let maximumArrayBytes: Int

    init(outer: ArchiveReader, member: String, maximumArrayBytes: Int) {
        self.outer = outer
        self.member = member
        self.maximumArrayBytes = maximumArrayBytes
        name = "\(outer.path)!\(member)"
    }

    /// Streams every `.npy` member as `NPZArchive.stream` does. Member names are validated as the
    /// central directory would be (no escaping paths, no duplicates); sizes come from the local
    /// headers; every CRC is checked.
    public func stream(maxChunkBytes: Int = 8 << 20, _ body: (NPZStreamEvent) throws -> Void) throws {
        let reader = try ArchiveReader(npzInside: outer, member: member)
        var seen = Set<String>()
        while let entry = try reader.nextEntry() {
            try ZipDirectory.validate(name: entry.name, file: name, seen: &seen)
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            let decoder = NPYMemberReader(reader: reader, name: entry.name, source: "\(name)!\(entry.name)",
                                          inflatedSize: entry.size, maximumArrayBytes: maximumArrayBytes)
            try decoder.stream(key: key, maxChunkBytes: maxChunkBytes, body)
        }
        guard !seen.isEmpty else { throw NPZError.notZip(file: name, reason: "no members could be read") }
    }
}

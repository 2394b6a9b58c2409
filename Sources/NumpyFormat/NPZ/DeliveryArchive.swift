import Foundation
import Support

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

    /// An entry the archive holds that is not read as a case, and why (`ARCHIVE!member` in `name`).
    public struct PassedOver: Sendable, Hashable {
        public let name: String
        public let reason: String
    }

    /// The `.npz` members, in archive order, and the entries passed over (one pass; their data
    /// is skipped).
    public func caseMembers() throws -> (cases: [String], passedOver: [PassedOver]) {
        var names: [String] = [], passedOver: [PassedOver] = []
        try forEachCase(where: { _ in false }, { _ in }, onListed: { names.append($0) }, onPassedOver: { passedOver.append($0) })
        return (names, passedOver)
    }

    /// One pass through the archive: `body` streams each `.npz` member that `include` accepts; the
    /// others are skipped. A case that fails inside `body` does not stop the pass; a damaged
    /// archive (the outer stream) does, by throwing.
    public func forEachCase(where include: (String) -> Bool, _ body: (StreamedNPZ) throws -> Void) throws {
        try forEachCase(where: include, body, onListed: { _ in }, onPassedOver: { _ in })
    }

    /// Only regular `.npz` entries with a UTF-8 name that stays inside the archive are cases, and of
    /// two entries with one name only the first (tar keeps both; a case must have one identity).
    /// Links and special entries are never followed.
    private func forEachCase(where include: (String) -> Bool, _ body: (StreamedNPZ) throws -> Void,
                             onListed: (String) -> Void, onPassedOver: (PassedOver) -> Void) throws {
        let outer = try ArchiveReader(deliveryPath: path)
        var seen = Set<String>()
        while let entry = try outer.nextEntry() {
            let name: String
            switch Self.verdict(on: entry, seen: &seen) {
            case let .isCase(caseName): name = caseName
            case .notACase: continue
            case let .passedOver(reason):
                onPassedOver(PassedOver(name: "\(path)!\(entry.displayName)", reason: reason))
                continue
            }
            onListed(name)
            guard include(name) else { continue }
            try body(StreamedNPZ(outer: outer, member: name, maximumArrayBytes: maximumArrayBytes))
        }
    }
}

extension DeliveryArchive {
    private enum EntryVerdict {
        case isCase(String)
        /// Directories and files that are not `.npz`: not worth a line in the report.
        case notACase
        case passedOver(reason: String)
    }

    private static func verdict(on entry: ArchiveReader.Entry, seen: inout Set<String>) -> EntryVerdict {
        switch entry.kind {
        case .directory: return .notACase
        case .symbolicLink: return .passedOver(reason: "a symbolic link; links are never followed")
        case .special: return .passedOver(reason: "a special entry (hard link, device or FIFO), not a file")
        case .regularFile: break
        }
        guard let name = entry.name else {
            return entry.displayName.lowercased().hasSuffix(".npz") ? .passedOver(reason: "the member name is not UTF-8") : .notACase
        }
        guard name.lowercased().hasSuffix(".npz") else { return .notACase }
        if ZipDirectory.escapesExtraction(name) { return .passedOver(reason: "the member name leaves the archive (absolute or '..')") }
        guard seen.insert(name).inserted else { return .passedOver(reason: "a second member with this name; only the first is read") }
        return .isCase(name)
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
            guard let member = entry.name else { throw NPZError.unsafeMemberName(file: name, member: entry.displayName) }
            try ZipDirectory.validate(name: member, file: name, seen: &seen)
            let key = member.hasSuffix(".npy") ? String(member.dropLast(4)) : member
            let decoder = NPYMemberReader(reader: reader, name: member, source: "\(name)!\(member)",
                                          inflatedSize: entry.size, maximumArrayBytes: maximumArrayBytes)
            try decoder.stream(key: key, maxChunkBytes: maxChunkBytes, body)
        }
        guard !seen.isEmpty else { throw NPZError.notZip(file: name, reason: "no members could be read") }
    }
}

extension DeliveryArchive {
    /// Copies the case member `member` out of the archive, byte for byte, to `path` (published
    /// atomically). For the commands that need a seekable `.npz` (training, prediction,
    /// evaluation) of a case frozen inside a delivery; the caller verifies the copy's case hash.
    /// Refuses a member larger than `maximumBytes` (the bytes as stored) and one the archive lacks.
    public func copyCase(_ member: String, to path: String, maximumBytes: Int) throws {
        var copied = false
        try forEachCase(where: { $0 == member }) { streamed in
            try streamed.copyBytes(to: path, maximumBytes: maximumBytes)
            copied = true
        }
        guard copied else { throw NPZError.memberNotFound(file: self.path, member: member, available: []) }
    }
}

extension StreamedNPZ {
    /// Writes the member's stored bytes to `path` (temporary file, then rename).
    func copyBytes(to path: String, maximumBytes: Int) throws {
        try AtomicFile.publish(to: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let output = FileHandle(forWritingAtPath: temporary) else {
                throw NPZError.writeFailed(file: path, reason: "cannot create \(temporary)")
            }
            defer { try? output.close() }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var total = 0
            while true {
                let count = try buffer.withUnsafeMutableBytes { try outer.read(into: $0, member: member) }
                guard count > 0 else { break }
                total += count
                guard total <= maximumBytes else {
                    throw NPZError.corruptMember(file: outer.path, member: member, reason: "larger than the \(maximumBytes >> 30) GiB a case file may hold")
                }
                try output.write(contentsOf: buffer[..<count])
            }
        }
    }
}

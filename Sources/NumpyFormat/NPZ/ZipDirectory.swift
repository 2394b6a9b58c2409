/// One member as the ZIP central directory lists it.
public struct NPZMember: Sendable, Hashable {
    /// The member's name in the archive, e.g. `dose.npy`.
    public let name: String
    /// The array key numpy uses: the name without its `.npy` suffix.
    public var key: String { name.hasSuffix(".npy") ? String(name.dropLast(4)) : name }
    /// 0 = stored, 8 = deflate.
    public let compressionMethod: UInt16
    public let compressedSize: Int
    public let inflatedSize: Int
    public let crc32: UInt32
    let localHeaderOffset: Int

    public var isCompressed: Bool { compressionMethod != 0 }
}

/// Reads the central directory of a ZIP file (including numpy's ZIP64 records) so members can be
/// listed with their sizes, and names and methods validated, before any data is inflated.
enum ZipDirectory {
    static let supportedMethods: [UInt16: String] = [0: "stored", 8: "deflate"]
    private static let methodNames: [UInt16: String] = [
        1: "shrink", 6: "implode", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstd", 95: "xz", 99: "AES encryption",
    ]

    static func read(from file: RandomAccessFile) throws -> [NPZMember] {
        let path = file.path
        guard file.size > 0 else { throw NPZError.notZip(file: path, reason: "the file is empty") }
        let tailLength = min(file.size, 22 + 65_535 + 20)
        let tail = try file.read(at: file.size - tailLength, count: tailLength)
        guard let eocd = lastSignature(0x0605_4B50, in: tail, minimumRemaining: 22) else {
            let head = try file.read(at: 0, count: min(4, file.size))
            if head == [0x50, 0x4B, 0x03, 0x04] {
                throw NPZError.truncated(file: path, reason: "no end-of-central-directory record: the archive was cut short")
            }
            throw NPZError.notZip(file: path, reason: "no ZIP signature")
        }
        var entryCount = Int(tail.uint16(at: eocd + 10))
        var directorySize = Int(tail.uint32(at: eocd + 12))
        var directoryOffset = Int(tail.uint32(at: eocd + 16))
        let eocdFileOffset = file.size - tailLength + eocd
        if eocd >= 20, tail.uint32(at: eocd - 20) == 0x0706_4B50 {
            let zip64Offset = Int(truncatingIfNeeded: tail.uint64(at: eocd - 20 + 8))
            // 64-bit fields from the file: compare without adding, so a value near Int.max cannot overflow.
            guard zip64Offset >= 0, zip64Offset <= eocdFileOffset - 56 else {
                throw NPZError.truncated(file: path, reason: "ZIP64 end record offset \(zip64Offset) lies outside the file")
            }
            let record = try file.read(at: zip64Offset, count: 56)
            guard record.uint32(at: 0) == 0x0606_4B50 else {
                throw NPZError.truncated(file: path, reason: "ZIP64 end record missing at offset \(zip64Offset)")
            }
            entryCount = Int(truncatingIfNeeded: record.uint64(at: 32))
            directorySize = Int(truncatingIfNeeded: record.uint64(at: 40))
            directoryOffset = Int(truncatingIfNeeded: record.uint64(at: 48))
        }
        guard directoryOffset >= 0, directorySize >= 0, entryCount >= 0,
              directorySize <= eocdFileOffset, directoryOffset <= eocdFileOffset - directorySize,
              entryCount <= directorySize / 46 + 1 else {
            throw NPZError.truncated(file: path, reason: "central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the file")
        }
        let directory = try file.read(at: directoryOffset, count: directorySize)
        var members: [NPZMember] = []
        var seen = Set<String>()
        var position = 0
        for _ in 0..<entryCount {
            guard position + 46 <= directory.count, directory.uint32(at: position) == 0x0201_4B50 else {
                throw NPZError.truncated(file: path, reason: "central directory entry \(members.count + 1) is damaged")
            }
            let method = directory.uint16(at: position + 10)
            let crc = directory.uint32(at: position + 16)
            var compressed = Int(directory.uint32(at: position + 20))
            var inflated = Int(directory.uint32(at: position + 24))
            let nameLength = Int(directory.uint16(at: position + 28))
            let extraLength = Int(directory.uint16(at: position + 30))
            let commentLength = Int(directory.uint16(at: position + 32))
            var localOffset = Int(directory.uint32(at: position + 42))
            let nameStart = position + 46, extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directory.count else {
                throw NPZError.truncated(file: path, reason: "central directory entry \(members.count + 1) runs past the directory")
            }
            let name = String(decoding: directory[nameStart..<extraStart], as: UTF8.self)
            // ZIP64 extra field: the 64-bit values replace those stored as 0xFFFFFFFF, in this order.
            var extra = extraStart
            while extra + 4 <= extraStart + extraLength {
                let id = directory.uint16(at: extra), size = Int(directory.uint16(at: extra + 2))
                if id == 0x0001 {
                    var field = extra + 4
                    let fieldEnd = min(field + size, extraStart + extraLength)
                    if inflated == 0xFFFF_FFFF, field + 8 <= fieldEnd {
                        inflated = Int(truncatingIfNeeded: directory.uint64(at: field)); field += 8
                    }
                    if compressed == 0xFFFF_FFFF, field + 8 <= fieldEnd {
                        compressed = Int(truncatingIfNeeded: directory.uint64(at: field)); field += 8
                    }
                    if localOffset == 0xFFFF_FFFF, field + 8 <= fieldEnd {
                        localOffset = Int(truncatingIfNeeded: directory.uint64(at: field))
                    }
                }
                extra += 4 + size
            }
            try validate(name: name, method: method, file: path, seen: &seen)
            guard inflated >= 0, compressed >= 0, localOffset >= 0, localOffset < directoryOffset else {
                throw NPZError.truncated(file: path, reason: "member \(name) has sizes or an offset outside the file")
            }
            members.append(NPZMember(name: name, compressionMethod: method, compressedSize: compressed,
                                     inflatedSize: inflated, crc32: crc, localHeaderOffset: localOffset))
            position = next
        }
        return members
    }

    private static func validate(name: String, method: UInt16, file: String, seen: inout Set<String>) throws {
        try validate(name: name, file: file, seen: &seen)
        guard supportedMethods[method] != nil else {
            throw NPZError.unsupportedCompression(file: file, member: name, method: method,
                                                  methodName: methodNames[method] ?? "unknown")
        }
    }

    /// Refuses names that would escape an extraction directory, and names seen twice.
    static func validate(name: String, file: String, seen: inout Set<String>) throws {
        if escapesExtraction(name) { throw NPZError.unsafeMemberName(file: file, member: name) }
        guard seen.insert(name).inserted else { throw NPZError.duplicateMember(file: file, member: name) }
    }

    /// Whether extracting `name` would leave the extraction folder: absolute, a drive letter, or a
    /// `..` component (with either separator).
    static func escapesExtraction(_ name: String) -> Bool {
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        return name.hasPrefix("/") || name.hasPrefix("\\") || components.contains("..") || name.contains("\\..")
            || (name.count >= 2 && name.dropFirst().first == ":")
    }

    private static func lastSignature(_ signature: UInt32, in bytes: [UInt8], minimumRemaining: Int) -> Int? {
        guard bytes.count >= minimumRemaining else { return nil }
        var index = bytes.count - minimumRemaining
        while index >= 0 {
            if bytes.uint32(at: index) == signature { return index }
            index -= 1
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    func uint16(at index: Int) -> UInt16 { UInt16(self[index]) | UInt16(self[index + 1]) << 8 }
    func uint32(at index: Int) -> UInt32 {
        UInt32(self[index]) | UInt32(self[index + 1]) << 8 | UInt32(self[index + 2]) << 16 | UInt32(self[index + 3]) << 24
    }
    func uint64(at index: Int) -> UInt64 { UInt64(uint32(at: index)) | UInt64(uint32(at: index + 4)) << 32 }
}

import Support
import Foundation

/// A file a run wrote under its folder (a checkpoint, metrics, its log), as `result.json`
/// lists it: the path relative to the run folder, its size and the SHA-256 of its bytes (a
/// checkpoint's identity, DESIGN "Run folders").
public struct RunArtifact: Sendable, Equatable {
    public let path: String
    public let bytes: Int64
    public let sha256: String

    public init(path: String, bytes: Int64, sha256: String) { (self.path, self.bytes, self.sha256) = (path, bytes, sha256) }

    public var json: JSONValue { .object(["path": .string(path), "bytes": .int(bytes), "sha256": .string(sha256)]) }

    init?(_ value: JSONValue) {
        guard let path = value["path"]?.stringValue, let bytes = value["bytes"]?.intValue, let sha256 = value["sha256"]?.stringValue else { return nil }
        (self.path, self.bytes, self.sha256) = (path, Int64(bytes), sha256)
    }

    /// Every regular file under `directory` except the run's records, hashed, sorted by path.
    /// Links and special files are left out: an artifact is bytes the run wrote.
    public static func inventory(of directory: String) throws -> [RunArtifact] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw LineageError.writeFailed(path: directory, reason: "the run folder cannot be listed")
        }
        var found: [RunArtifact] = []
        while let relative = walker.nextObject() as? String {
            let path = "\(directory)/\(relative)"
            guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
                  relative.contains("/") || !RunFiles.isRecordName(relative) else { continue }
            let (bytes, sha256) = try hash(path)
            found.append(RunArtifact(path: relative, bytes: bytes, sha256: sha256))
        }
        return found.sorted { $0.path < $1.path }
    }

    /// Size and SHA-256 of a file, read in 1 MiB pieces (checkpoints of the paper model are ~95 MB).
    public static func hash(_ path: String) throws -> (bytes: Int64, sha256: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw LineageError.invalidRecord(path: path, reason: "cannot be read") }
        defer { try? handle.close() }
        var hasher = StreamingSHA256(), total: Int64 = 0
        while true {
            let piece: Data
            do { piece = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw LineageError.invalidRecord(path: path, reason: .cause(error, "cannot be read"))
            }
            if piece.isEmpty { break }
            total += Int64(piece.count)
            piece.withUnsafeBytes { hasher.update($0) }
        }
        return (total, hasher.finalize())
    }

    /// Whether `path` stays inside the run folder: relative, no `..`, no empty part. A result
    /// naming anything else is not trusted (verify would otherwise hash files outside the workspace).
    public static func isContained(_ path: String) -> Bool {
        !path.hasPrefix("/") && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }
}

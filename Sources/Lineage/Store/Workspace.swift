import DoseCase
import Support
import Audit
import Foundation
import NumpyFormat
#if canImport(Glibc)
import Glibc
#endif

/// A dosecurate workspace (DESIGN.md, "The workspace"): plain files a user commits to git. Records
/// are written only through `commit`, which publishes a set of files all-or-nothing via a journal
/// under `.dosecurate/journal/`, and never replaces a file that exists.
public struct Workspace: Sendable {
    /// The folder as given.
    public let path: String
    /// Its resolved absolute path, for deciding whether a case lies inside it.
    public let resolvedPath: String

    /// Opens `path`, creating it when `create` is set; refuses anything that is not a folder.
    public init(path: String, create: Bool) throws {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard create else { throw LineageError.workspaceUnusable(path: path, reason: "no such folder") }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw LineageError.workspaceUnusable(path: path, reason: .cause(error))
            }
        } else if !isDirectory.boolValue {
            throw LineageError.workspaceUnusable(path: path, reason: "not a folder")
        }
        guard let resolved = realpath(path, nil) else {
            throw LineageError.workspaceUnusable(path: path, reason: "\(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        self.path = path
        resolvedPath = String(cString: resolved)
    }

    public var cacheDirectory: String { "\(path)/.dosecurate/cache" }
    var lockPath: String { "\(path)/.dosecurate/lock" }
    var journalDirectory: String { "\(path)/.dosecurate/journal" }
    var stagingDirectory: String { "\(path)/.dosecurate/staging" }

    /// The absolute path of a workspace-relative record name.
    public func file(_ relative: String) -> String { "\(path)/\(relative)" }

    // MARK: - Paths inside records

    /// How a record spells a case's location: relative to the workspace when it lies inside it,
    /// else absolute (DESIGN.md, "The workspace"); a case inside an archive keeps its `!member`.
    public func recordedName(for location: CaseLocation) -> String {
        switch location {
        case let .file(path): recordedPath(path)
        case let .archiveMember(archive, member): "\(recordedPath(archive))!\(member)"
        }
    }

    /// Where a recorded name points now.
    public func location(ofRecorded name: String) -> CaseLocation {
        CaseLocation.parse(name.hasPrefix("/") ? name : "\(path)/\(name)")
    }

    private func recordedPath(_ path: String) -> String {
        let prefix = resolvedPath.hasSuffix("/") ? resolvedPath : resolvedPath + "/"
        let resolved = Self.resolvedIfPossible(Self.absolute(path))
        return resolved.hasPrefix(prefix) ? String(resolved.dropFirst(prefix.count)) : resolved
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    private static func resolvedIfPossible(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    // MARK: - Locking and publishing

    /// Takes the workspace lock; an exclusive holder first finishes any commit a crash interrupted.
    public func lock(_ mode: WorkspaceLock.Mode) throws -> WorkspaceLock {
        try hold(try WorkspaceLock(path: lockPath, mode: .exclusive), as: mode)
    }

    /// Given the lock held exclusively: finishes interrupted commits, then keeps it in `mode`.
    private func hold(_ lock: WorkspaceLock, as mode: WorkspaceLock.Mode) throws -> WorkspaceLock {
        try recover()
        if mode == .shared { try lock.change(to: .shared) }
        return lock
    }

    /// What a reading command holds while it reads (`verify`, `split verify`).
    public struct ReadAccess: Sendable {
        /// The shared lock; nil on a workspace that cannot be written and has no lock file.
        public let lock: WorkspaceLock?
        /// The workspace could not be written (a read-only mount, an archive copy without write
        /// permission): nothing was written, not even the lock file.
        public let isReadOnly: Bool
        /// Commits a crash interrupted after their commit point, left unfinished because the
        /// workspace is read-only: (`.dosecurate/journal/<name>`, the records each would publish).
        public let unfinishedCommits: [(journal: String, records: [String])]
    }

    /// Takes the lock for reading. A writable workspace is locked as `lock(.shared)` does, finishing
    /// interrupted commits first. One that cannot be written is read as it stands: its existing
    /// lock file is opened read-only and locked shared (with none, no process can be writing
    /// there), and interrupted commits are listed rather than finished.
    public func lockForReading() throws -> ReadAccess {
        switch WorkspaceLock.openForWriting(lockPath) {
        case let .opened(descriptor):
            let lock = WorkspaceLock(path: lockPath, descriptor: descriptor)
            try lock.change(to: .exclusive)
            return ReadAccess(lock: try hold(lock, as: .shared), isReadOnly: false, unfinishedCommits: [])
        case let .failed(reason):
            throw LineageError.lockFailed(path: lockPath, reason: "\(reason)")
        case .readOnly:
            let lock = try WorkspaceLock.sharedReadOnly(path: lockPath)
            return ReadAccess(lock: lock, isReadOnly: true, unfinishedCommits: unfinishedCommits())
        }
    }

    /// Journal transactions past their commit point (a plan written), with the records they name.
    /// Those without a plan never committed: the next writer discards them.
    func unfinishedCommits() -> [(journal: String, records: [String])] {
        ((try? FileManager.default.contentsOfDirectory(atPath: journalDirectory)) ?? []).sorted().compactMap { name in
            let plan = "\(journalDirectory)/\(name)/plan.json"
            guard let data = FileManager.default.contents(atPath: plan) else { return nil }
            let records = (try? JSONValue.parse([UInt8](data)))?.arrayValue?.compactMap(\.stringValue) ?? []
            return (".dosecurate/journal/\(name)", records)
        }
    }

    /// Names of the files in a workspace folder (`datasets`, `audits`…), sorted; none when absent.
    public func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: file(folder))) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
    }

    public func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: file(relative)) }

    /// Whether a workspace-relative name is a folder (`evaluations/<hash>/` holds gamma maps, not a record).
    public func isFolder(_ relative: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: file(relative), isDirectory: &isDirectory) && isDirectory.boolValue
    }

    public func read(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file(relative)) else {
            throw LineageError.invalidRecord(path: file(relative), reason: "cannot be read")
        }
        return [UInt8](data)
    }

    /// Publishes `files` (workspace-relative name → bytes) all or nothing: each is staged and
    /// synced in a journal folder, then the journal's plan is written (the commit point), then
    /// every file is renamed into place. A crash before the plan leaves the old state; after it,
    /// the next `lock` finishes the renames. Refuses to replace a file that exists. The caller
    /// holds the exclusive lock.
    public func commit(_ files: [(name: String, bytes: [UInt8])]) throws {
        for entry in files where exists(entry.name) {
            throw LineageError.recordExists(path: file(entry.name))
        }
        let transaction = "\(journalDirectory)/\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(transaction)
        for (index, entry) in files.enumerated() {
            try write(entry.bytes, to: "\(transaction)/\(index)")
            CrashPoint.reach("stage-\(index + 1)")
        }
        let plan = JSONValue.array(files.map { .string($0.name) })
        try write(plan.canonicalUTF8, to: "\(transaction)/plan.json")
        CrashPoint.reach("commit")
        try publish(transaction)
    }

    /// Finishes or discards what crashed processes left in the journal, and removes staging folders
    /// whose process is gone.
    func recover() throws {
        removeAbandonedStaging()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: journalDirectory)) ?? [] {
            let transaction = "\(journalDirectory)/\(name)"
            if FileManager.default.fileExists(atPath: "\(transaction)/plan.json") {
                try publish(transaction)
            } else {
                try? FileManager.default.removeItem(atPath: transaction)
            }
        }
    }

    // MARK: - Staging large files

    /// A new folder under `.dosecurate/staging/`, private to this process, for files too large to
    /// hold in memory until their final names are known (gamma maps live in a folder named after a
    /// record hash that is computed last). It lies inside the workspace, so `publish(staged:as:)`
    /// is a rename on one file system. The caller removes it when done; a crash leaves it to the
    /// next writer, which removes folders whose process is gone.
    public func makeStagingFolder() throws -> String {
        let folder = "\(stagingDirectory)/\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try makeDirectory(folder)
        return folder
    }

    /// Moves a staged file to the workspace-relative `relative` (one rename, its folder made and
    /// synced), replacing a file of that name: unlike `commit`, this publishes artifacts a record
    /// will name, and the caller (holding the exclusive lock) knows no record names that file yet.
    public func publish(staged: String, as relative: String) throws {
        let target = file(relative)
        let folder = (target as NSString).deletingLastPathComponent
        try makeDirectory(folder)
        guard rename(staged, target) == 0 else { throw LineageError.writeFailed(path: target, reason: "\(String(cString: strerror(errno)))") }
        AtomicFile.syncDirectory(folder)
    }

    /// Staging folders are named `<pid>-<random>`; one whose process no longer runs was left by a crash.
    private func removeAbandonedStaging() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory)) ?? [] {
            guard let pid = name.split(separator: "-").first.flatMap({ pid_t($0) }), pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: "\(stagingDirectory)/\(name)")
        }
    }

    private func publish(_ transaction: String) throws {
        let planPath = "\(transaction)/plan.json"
        guard let planData = FileManager.default.contents(atPath: planPath),
              let names = try? JSONValue.parse([UInt8](planData)).arrayValue?.compactMap(\.stringValue) else {
            throw LineageError.invalidRecord(path: planPath, reason: "an unreadable journal plan; remove \(transaction) after checking it")
        }
        for (index, name) in names.enumerated() {
            let staged = "\(transaction)/\(index)"
            // Renamed already by the run that crashed.
            guard FileManager.default.fileExists(atPath: staged) else { continue }
            let target = file(name)
            let folder = (target as NSString).deletingLastPathComponent
            try makeDirectory(folder)
            guard rename(staged, target) == 0 else {
                throw LineageError.writeFailed(path: target, reason: "\(String(cString: strerror(errno)))")
            }
            AtomicFile.syncDirectory(folder)
            CrashPoint.reach("publish-\(index + 1)")
        }
        try? FileManager.default.removeItem(atPath: transaction)
    }

    private func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw LineageError.writeFailed(path: path, reason: .cause(error))
        }
    }

    private func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LineageError.writeFailed(path: path, reason: .cause(error))
        }
    }
}

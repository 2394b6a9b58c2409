#if canImport(Glibc)
import Glibc
#endif
import NumpyFormat

/// The `*.npz` files below a folder, found with `opendir`/`stat` rather than FileManager so that
/// nothing can stall or repeat the walk: special files are never opened (a FIFO would block the
/// reader forever), every directory and file is taken once per device and inode (symlink loops
/// end, a linked case is not audited twice), and names that are not UTF-8 are reported, not lost.
struct FolderWalk {
    private(set) var files: [String] = []
    private(set) var skipped: [SkippedInput] = []
    private var seenFiles: [FileKey: String] = [:]
    private var seenFolders: Set<FileKey> = []

    struct FileKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    /// Walks `directory` (hidden names, starting with `.`, are left out).
    static func npzFiles(under directory: String) throws -> FolderWalk {
        var walk = FolderWalk()
        let base = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard let info = Self.status(of: base), info.isDirectory else {
            throw AuditError.unreadableDirectory(path: base, reason: "not a directory")
        }
        walk.seenFolders.insert(info.key)
        var pending = [base]
        while let folder = pending.popLast() {
            for name in try Self.entries(of: folder) {
                guard let text = name.text else {
                    walk.skipped.append(.init(path: "\(folder)/\(name.escaped)", reason: "the file name is not UTF-8"))
                    continue
                }
                guard !text.hasPrefix(".") else { continue }
                let path = "\(folder)/\(text)"
                let isCaseName = text.lowercased().hasSuffix(".npz")
                guard let info = Self.status(of: path) else {
                    if isCaseName { walk.skipped.append(.init(path: path, reason: "a symbolic link to nothing, or cannot be examined")) }
                    continue
                }
                if info.isDirectory {
                    if walk.seenFolders.insert(info.key).inserted {
                        pending.append(path)
                    } else {
                        walk.skipped.append(.init(path: path, reason: "a folder already walked (a symbolic link loop or a second link to it)"))
                    }
                } else if isCaseName {
                    walk.take(path, info: info)
                }
            }
        }
        walk.files.sort()
        walk.skipped.sort { $0.path < $1.path }
        return walk
    }

    /// A path named on the command line that is not a folder.
    static func file(_ path: String) -> FolderWalk {
        var walk = FolderWalk()
        if let info = status(of: path) { walk.take(path, info: info) }
        return walk
    }

    private mutating func take(_ path: String, info: Status) {
        guard info.isRegular else {
            skipped.append(.init(path: path, reason: "not a regular file (\(info.kindName)); never opened"))
            return
        }
        if let first = seenFiles[info.key] {
            skipped.append(.init(path: path, reason: "the same file as \(first) (a link); audited once"))
            return
        }
        seenFiles[info.key] = path
        files.append(path)
    }

    /// Merges another walk: a file reached from two command-line paths is taken once.
    mutating func merge(_ other: FolderWalk) {
        for path in other.files {
            if let info = Self.status(of: path) { take(path, info: info) }
        }
        skipped += other.skipped
    }

    // MARK: - POSIX

    struct Status {
        let key: FileKey
        let mode: mode_t
        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
        var isRegular: Bool { mode & S_IFMT == S_IFREG }
        var kindName: String {
            switch mode & S_IFMT {
            case S_IFIFO: "a FIFO"
            case S_IFSOCK: "a socket"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFDIR: "a directory"
            default: "a special file"
            }
        }
    }

    /// `stat`, following symbolic links (a link to a case is a case); nil when it fails.
    static func status(of path: String) -> Status? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Status(key: FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)), mode: info.st_mode)
    }

    struct EntryName {
        let bytes: [UInt8]
        var text: String? { RawFileName.text(bytes) }
        var escaped: String { RawFileName.escaped(bytes) }
    }

    private static func entries(of folder: String) throws -> [EntryName] {
        guard let stream = opendir(folder) else {
            throw AuditError.unreadableDirectory(path: folder, reason: String(cString: strerror(errno)))
        }
        defer { closedir(stream) }
        var names: [EntryName] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes != [0x2E], bytes != [0x2E, 0x2E] else { continue }
            names.append(EntryName(bytes: bytes))
        }
        return names
    }
}

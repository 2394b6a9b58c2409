/// Something an audit was pointed at and did not read as a case, with why: a FIFO or device named
/// `*.npz`, a second path to a file already found (symlink), a directory met again (symlink loop),
/// a file name that is not UTF-8, an archive entry that is a link or whose name escapes the archive.
/// The JSON report lists these under `skipped`, never as cases.
public struct SkippedInput: Sendable, Hashable, Codable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

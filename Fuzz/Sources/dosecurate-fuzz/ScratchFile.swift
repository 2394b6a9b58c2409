#if canImport(Glibc)
import Glibc
#endif

/// One temporary file per process, rewritten with each input, for readers whose only entry point
/// is a path (`NPZArchive`, `DeliveryArchive`). Lives in a private `mkdtemp` folder under
/// `$TMPDIR` (or /tmp), removed at exit.
final class ScratchFile: @unchecked Sendable {
    let path: String

    /// `name` gives the file its suffix (`.npz`, `.tar`): readers that look at it see a real name.
    init(name: String) {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/dosecurate-fuzz-XXXXXX".utf8CString)
        guard let folder = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fuzzSetupFailure("cannot create a scratch folder under \(base)")
        }
        let directory = String(cString: folder)
        path = "\(directory)/\(name)"
        ScratchFile.cleanup.append((path, directory))
        if ScratchFile.cleanup.count == 1 {
            atexit {
                for (file, folder) in ScratchFile.cleanup {
                    unlink(file)
                    rmdir(folder)
                }
            }
        }
    }

    /// Replaces the file's contents with `bytes`.
    func write(_ bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            fuzzSetupFailure("cannot write \(path)")
        }
        defer { close(descriptor) }
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + done, bytes.count - done) }
            guard written > 0 else {
                fuzzSetupFailure("short write to \(path)")
            }
            done += written
        }
    }

    /// Files to remove at exit (only ever touched from libFuzzer's single fuzzing thread).
    nonisolated(unsafe) private static var cleanup: [(file: String, folder: String)] = []
}

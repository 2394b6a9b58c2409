import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A test hook for crash safety: when `DOSECURATE_TEST_CRASH_AT` names a step, the process dies
/// there at once (`_exit`, no cleanup, as a power cut or `kill -9` would leave it). Tests run the
/// CLI with each step named and check the workspace holds the old state or the new, never half.
public enum CrashPoint {
    public static let environmentKey = "DOSECURATE_TEST_CRASH_AT"
    /// The exit status of a simulated crash.
    public static let exitStatus: Int32 = 86

    public static func reach(_ step: String) {
        guard let wanted = ProcessInfo.processInfo.environment[environmentKey], wanted == step else { return }
        _exit(exitStatus)
    }
}

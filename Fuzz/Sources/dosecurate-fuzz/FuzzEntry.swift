import CLibFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// The harness this process runs, chosen from `DOSECURATE_FUZZ_TARGET` before libFuzzer starts.
/// Written once in `main`, before the first input; libFuzzer calls `testOneInput` on one thread.
nonisolated(unsafe) private var selectedHarness: FuzzHarness = .npyHeader

@main
enum FuzzEntry {
    /// Picks the harness, then runs libFuzzer's driver with the command line (every libFuzzer
    /// flag works as usual: `-help=1` lists them).
    static func main() {
        let names = FuzzHarness.allCases.map(\.rawValue).joined(separator: ", ")
        guard let raw = getenv(FuzzHarness.environmentVariable) else {
            fuzzSetupFailure("set \(FuzzHarness.environmentVariable) to one of: \(names)")
        }
        guard let harness = FuzzHarness(rawValue: String(cString: raw)) else {
            fuzzSetupFailure("unknown harness '\(String(cString: raw))'; expected one of: \(names)")
        }
        selectedHarness = harness
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }
}

/// libFuzzer's per-input callback. Harnesses swallow thrown errors only (a clean refusal); a trap,
/// sanitizer report, timeout or memory blow-up ends the process and is the finding.
private func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedHarness.run(bytes)
    return 0
}

/// Stops the process before fuzzing starts (a set-up problem, not a finding).
func fuzzSetupFailure(_ message: String) -> Never {
    let line = Array("dosecurate-fuzz: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

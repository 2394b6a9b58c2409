import Foundation

/// The `dosecurate` executable SwiftPM builds next to the test bundle (every test target runs in
/// one bundle, so any of them can run the CLI).
public enum DosecurateBinary {
    public struct NotFound: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "dosecurate binary not found next to the test bundle at \(path)" }
    }

    public static func url() throws -> URL {
        guard let binary = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("dosecurate") else {
            throw NotFound(path: "(no bundle executable)")
        }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw NotFound(path: binary.path) }
        return binary
    }
}

import Foundation
import XCTest

/// The `dosecurate` executable SwiftPM builds next to the test bundle.
enum DosecurateBinary {
    static func url() throws -> URL {
        let binary = try XCTUnwrap(Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("dosecurate"))
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("dosecurate binary not found next to the test bundle at \(binary.path)")
        }
        return binary
    }
}

import Foundation
import XCTest

/// Runs the built `dosecurate` binary and checks what a user sees: output and exit codes.
final class CommandLineTests: XCTestCase {
    private var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NumpyFormatTests/Fixtures")
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let binary = try XCTUnwrap(Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("dosecurate"))
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("dosecurate binary not found next to the test bundle at \(binary.path)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    func testInspectListsArraysAndExitsZero() throws {
        let result = try run(["inspect", fixtures.appendingPathComponent("npz/deflated.npz").path])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("dose         >f4    4×5×6    F"), result.output)
        XCTAssertTrue(result.output.contains("6 arrays"), result.output)
    }

    func testInspectJSONIsKeyedByArrayName() throws {
        let result = try run(["inspect", "--json", fixtures.appendingPathComponent("npz/stored.npz").path])
        XCTAssertEqual(result.status, 0, result.errors)
        let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        let cases = try XCTUnwrap(json?["cases"] as? [[String: Any]])
        let arrays = try XCTUnwrap(cases.first?["arrays"] as? [String: [String: Any]])
        XCTAssertEqual(Set(arrays.keys), ["ct", "masks", "dose", "constraints", "counts", "flags"])
        XCTAssertEqual(arrays["masks"]?["shape"] as? [Int], [3, 4, 5, 6])
        XCTAssertEqual(arrays["dose"]?["dtype"] as? String, ">f4")
    }

    func testUnreadableFileIsListedAndExitsOne() throws {
        let good = fixtures.appendingPathComponent("npz/stored.npz").path
        let bad = fixtures.appendingPathComponent("bad/crc_mismatch.npz").path
        let result = try run(["inspect", "--json", good, bad])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("CRC"), result.output)
        XCTAssertTrue(result.output.contains("\"arrays\""), result.output)
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try run(["no-such-command"]).status, 2)
        XCTAssertEqual(try run(["inspect"]).status, 2)
        let missing = try run(["inspect", "/no/such/case.npz"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("/no/such/case.npz"), missing.errors)
        XCTAssertEqual(try run(["--help"]).status, 0)
    }
}

import Foundation
import NumpyFormat
import XCTest

/// Every input the fuzzers (`Fuzz/`, `make fuzz`) made crash, replayed through the public readers:
/// each must now be refused with an error or read cleanly. A regression traps this test process.
final class FuzzCrashReplayTests: XCTestCase {
    static func crashes(of harness: String) throws -> [URL] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Crashes/\(harness)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The replayed bytes under a name the reader expects, in a fresh folder.
    private func scratchCopy(of file: URL, named name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-fuzz-replay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: file.path, toPath: path)
        return path
    }

    func testNPYHeaderCrashesAreRefused() throws {
        let files = try Self.crashes(of: "npy-header")
        XCTAssertFalse(files.isEmpty, "the header-length-0 reproducer is kept")
        for file in files {
            XCTAssertThrowsError(try NPYFile.read(path: try scratchCopy(of: file, named: "crash.npy")), file.lastPathComponent) {
                XCTAssertEqual(($0 as? NPYError)?.code, "npy.not_npy", "\(file.lastPathComponent): \($0)")
            }
        }
    }

    func testNPZArchiveCrashesAreRefused() throws {
        let files = try Self.crashes(of: "npz-archive")
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let path = try scratchCopy(of: file, named: "crash.npz")
            XCTAssertThrowsError(try NPZArchive(path: path).stream { _ in }, file.lastPathComponent) { error in
                XCTAssertEqual((error as? NPZError)?.code, "npz.truncated", "\(file.lastPathComponent): \(error)")
                guard case let .truncated(refused, _)? = error as? NPZError else { return }
                XCTAssertEqual(refused, path, "the error names the file")
            }
        }
    }

    func testDeliveryArchiveCrashesAreRefusedCaseByCase() throws {
        let files = try Self.crashes(of: "delivery-archive")
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let path = try scratchCopy(of: file, named: "crash.tar")
            var failures: [String?] = []
            try? DeliveryArchive(path: path).forEachCase(where: { _ in true }) { npz in
                do { try npz.stream { _ in } } catch { failures.append((error as? NPYError)?.code) }
            }
            XCTAssertFalse(failures.isEmpty, "\(file.lastPathComponent): its case is refused, not read")
            XCTAssertEqual(failures, failures.map { _ in "npy.not_npy" }, file.lastPathComponent)
        }
    }
}

import Engine
import Foundation
import XCTest

/// The safetensors inputs the fuzzer (`Fuzz/`, `make fuzz`) made crash: each is now refused with an
/// error naming the file. A regression traps this test process.
final class SafeTensorsCrashReplayTests: XCTestCase {
    func testFuzzerCrashesAreRefused() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/Crashes/safetensors")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertFalse(names.isEmpty, "the shape-element-bytes-overflow reproducer is kept")
        for name in names {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
            XCTAssertThrowsError(try SafeTensors.decode(bytes, file: name)) { error in
                XCTAssertEqual((error as? SafeTensorsError)?.code, "safetensors.malformed", "\(name): \(error)")
                guard case let .malformed(file, _)? = error as? SafeTensorsError else { return }
                XCTAssertEqual(file, name, "the error names the file")
            }
        }
    }
}

import Foundation
import SharedCohort
import XCTest

/// The shipped protocol files validate against schemas/protocol.schema.json with Python's jsonschema.
final class ProtocolSchemaTests: XCTestCase {
    func testShippedProtocolsValidate() throws {
        let folder = SchemaValidation.packageRoot.appendingPathComponent("protocols")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(files.count, 2)
        for file in files {
            XCTAssertEqual(try SchemaValidation.errors(validating: folder.appendingPathComponent(file), against: "protocol.schema.json"), [], file)
        }
    }
}

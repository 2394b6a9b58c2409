import Engine
import XCTest

/// The safetensors container: a round trip, and every malformed file refused with its reason.
final class SafeTensorsTests: XCTestCase {
    private let file = SafeTensors(tensors: ["a": try! Tensor(shape: [2, 2], elements: [1, 2, 3, 4]),
                                            "b": try! Tensor(shape: [3], elements: [-1, 0.5, .infinity])],
                                   metadata: ["note": "x"])

    func testRoundTripAndLayout() throws {
        let bytes = file.encoded()
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        XCTAssertEqual((8 + headerLength) % 8, 0, "data starts 8-byte aligned")
        XCTAssertEqual(bytes.count, 8 + headerLength + 7 * 4)
        XCTAssertEqual(try SafeTensors.decode(bytes, file: "t"), file)
    }

    func testRefusesMalformedFiles() throws {
        let bytes = file.encoded()
        func header(_ json: String, data: Int) -> [UInt8] {
            var text = Array(json.utf8)
            while text.count % 8 != 0 { text.append(0x20) }
            return (0..<8).map { UInt8(truncatingIfNeeded: text.count >> (8 * $0)) } + text + [UInt8](repeating: 0, count: data)
        }
        let malformed = "safetensors.malformed"
        let cases: [(String, [UInt8], String)] = [
            ("truncated", Array(bytes.prefix(5)), malformed),
            ("header past the end", [255, 255, 0, 0, 0, 0, 0, 0] + Array(bytes.dropFirst(8)), malformed),
            ("not JSON", header("{\"a\": ", data: 0), malformed),
            ("F16", header(#"{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: 4), "safetensors.unsupported_dtype"),
            ("size mismatch", header(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8), malformed),
            ("overlap", header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), malformed),
            ("hole", header(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8), malformed),
            ("offsets past the data", header(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 4), malformed),
            ("metadata not strings", header(#"{"__metadata__":{"depth":4}}"#, data: 0), malformed),
        ]
        for (label, bytes, code) in cases {
            XCTAssertThrowsError(try SafeTensors.decode(bytes, file: "bad.safetensors"), label) { error in
                XCTAssertEqual((error as? SafeTensorsError)?.code, code, "\(label): \(error)")
                switch error as? SafeTensorsError {
                case let .malformed(file, _)?, let .unsupportedDType(file, _, _)?: XCTAssertEqual(file, "bad.safetensors", label)
                default: break
                }
                if label == "not JSON" {
                    XCTAssertEqual((error as? SafeTensorsError)?.cause?.code, "support.invalid_json", "the parser's refusal is the cause")
                }
            }
        }
    }
}

import Crypto
import Foundation
import NumpyFormat
import XCTest

/// Locates the fixtures written by `Fixtures/make_numpy_fixtures.py` and decodes its manifests.
enum FixtureSupport {
    static func url(_ relativePath: String) throws -> URL {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw XCTSkip("fixtures folder missing from the test bundle")
        }
        return root.appendingPathComponent(relativePath)
    }

    static func path(_ relativePath: String) throws -> String { try url(relativePath).path }

    static func decode<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: url(relativePath)))
    }

    static func sha256Hex(of array: NPYArray) -> String {
        var hasher = SHA256()
        array.forEachCanonicalChunk { hasher.update(bufferPointer: $0) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// One element value as the fixture manifests write it: JSON booleans, integers (up to
/// UInt64.max), numbers, and the strings "NaN", "Infinity", "-Infinity".
enum ExpectedValue: Decodable, Equatable {
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case float(Double)

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        // JSONDecoder would read -0.0 as the integer 0; keep its sign.
        if let value = try? container.decode(Double.self), value == 0, value.sign == .minus { self = .float(value); return }
        if let value = try? container.decode(Int64.self) { self = .signed(value); return }
        if let value = try? container.decode(UInt64.self) { self = .unsigned(value); return }
        if let value = try? container.decode(Double.self) { self = .float(value); return }
        switch try container.decode(String.self) {
        case "NaN": self = .float(.nan)
        case "Infinity": self = .float(.infinity)
        case "-Infinity": self = .float(-.infinity)
        case let other: throw DecodingError.dataCorruptedError(in: container, debugDescription: "unexpected value \(other)")
        }
    }

    var asDouble: Double {
        switch self {
        case let .bool(value): value ? 1 : 0
        case let .signed(value): Double(value)
        case let .unsigned(value): Double(value)
        case let .float(value): value
        }
    }
}

struct ExpectedArray: Decodable {
    let descr: String
    let fortran_order: Bool
    let shape: [Int]
    let version: [Int]?
    let canonical_sha256: String
    let values: [ExpectedValue]
}

/// Asserts that `array` holds exactly `expected`'s elements, read through the Swift type that
/// matches its dtype, bit for bit for floats (NaN and -0.0 included).
func assertElements(_ array: NPYArray, equal expected: ExpectedArray, _ label: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(array.elementCount, expected.values.count, "\(label): element count", file: file, line: line)
    func check<T: NPYElement>(_: T.Type, _ matches: (T, ExpectedValue) -> Bool) throws {
        let values = try array.elements(as: T.self)
        for (index, (value, want)) in zip(values, expected.values).enumerated() where !matches(value, want) {
            XCTFail("\(label)[\(index)]: read \(value), numpy wrote \(want)", file: file, line: line)
            return
        }
    }
    func sameFloat(_ value: Double, _ want: ExpectedValue) -> Bool {
        let target = want.asDouble
        return (value.isNaN && target.isNaN) || (value == target && value.sign == target.sign)
    }
    func sameInteger<T: BinaryInteger>(_ value: T, _ want: ExpectedValue) -> Bool {
        switch want {
        case let .signed(number): return Int64(exactly: value) == number
        case let .unsigned(number): return UInt64(exactly: value) == number
        default: return false
        }
    }
    switch array.dtype.kind {
    case .bool: try check(Bool.self) { $1 == .bool($0) }
    case .int8: try check(Int8.self, sameInteger)
    case .uint8: try check(UInt8.self, sameInteger)
    case .int16: try check(Int16.self, sameInteger)
    case .uint16: try check(UInt16.self, sameInteger)
    case .int32: try check(Int32.self, sameInteger)
    case .uint32: try check(UInt32.self, sameInteger)
    case .int64: try check(Int64.self, sameInteger)
    case .uint64: try check(UInt64.self, sameInteger)
    case .float16: try check(Float16.self) { sameFloat(Double($0), $1) }
    case .float32: try check(Float.self) { sameFloat(Double($0), $1) }
    case .float64: try check(Double.self) { sameFloat($0, $1) }
    }
}

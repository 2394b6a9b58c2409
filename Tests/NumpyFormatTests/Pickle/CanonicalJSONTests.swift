import Foundation
import XCTest
@testable import NumpyFormat

final class CanonicalJSONTests: XCTestCase {
    /// 1000 doubles (random bit patterns, decades around the notation switch, integers,
    /// float32 values) with Python's `repr`, from make_pickle_fixtures.py.
    func testFloatsMatchPythonReprOnSamples() throws {
        let data = try Data(contentsOf: PickleFixtures.directory.appendingPathComponent("float_repr_samples.json"))
        let samples = try JSONDecoder().decode([[String]].self, from: data)
        XCTAssertEqual(samples.count, 1000)
        var mismatches: [String] = []
        for sample in samples {
            guard sample.count == 2, let bits = UInt64(sample[0], radix: 16) else { return XCTFail("bad sample \(sample)") }
            let text = CanonicalJSON.floatText(Double(bitPattern: bits))
            if text != sample[1] { mismatches.append("\(sample[1]) → \(text)") }
        }
        XCTAssertEqual(mismatches, [])
    }

    func testFloatNotationSwitchesWherePythonsDoes() {
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (-0.0, "-0.0"), (0.0, "0.0"), (0.1, "0.1"), (1e-05, "1e-05"), (0.0001, "0.0001"),
            (1e15, "1000000000000000.0"), (1e16, "1e+16"), (9007199254740992.0, "9007199254740992.0"),
            (123456789012345678.0, "1.2345678901234568e+17"), (Double.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (1.5e-7, "1.5e-07"), (1e100, "1e+100"),
            (70.0, "70.0"), (2.5, "2.5"), (0.9765625, "0.9765625"),
        ]
        for (value, expected) in cases {
            XCTAssertEqual(CanonicalJSON.floatText(value), expected, "\(value)")
            // Every finite float text is a valid JSON number that reads back to the same value.
            let parsed = try? JSONSerialization.jsonObject(with: Data("[\(expected)]".utf8), options: []) as? [NSNumber]
            XCTAssertEqual(parsed?.first?.doubleValue, value, expected)
        }
        XCTAssertEqual(MetadataValue.float(.nan).canonicalJSON(), "\"NaN\"")
        XCTAssertEqual(MetadataValue.float(.infinity).canonicalJSON(), "\"Infinity\"")
        XCTAssertEqual(MetadataValue.float(-.infinity).canonicalJSON(), "\"-Infinity\"")
    }

    func testScalarsIntegersAndBytes() throws {
        XCTAssertEqual(MetadataValue.none.canonicalJSON(), "null")
        XCTAssertEqual(MetadataValue.bool(true).canonicalJSON(), "true")
        XCTAssertEqual(MetadataValue.int(Int64.min).canonicalJSON(), "-9223372036854775808")
        XCTAssertEqual(MetadataValue.bigInt("-1180591620717411303424").canonicalJSON(), "-1180591620717411303424")
        XCTAssertEqual(MetadataValue.bigInt("12abc").canonicalJSON(), "\"12abc\"", "malformed digits never make invalid JSON")
        XCTAssertEqual(MetadataValue.bytes([0, 255, 16]).canonicalJSON(), "{\"$bytes\":\"AP8Q\"}")
        XCTAssertEqual(MetadataValue.bytes([]).canonicalJSON(), "{\"$bytes\":\"\"}")
        XCTAssertEqual(MetadataValue.numpyScalar(.bool(false)).canonicalJSON(), "false")
        XCTAssertEqual(MetadataValue.numpyScalar(.float32(0.1)).canonicalJSON(), "0.10000000149011612")
        XCTAssertEqual(MetadataValue.numpyScalar(.int64(-3)).canonicalJSON(), "-3")
        XCTAssertEqual(MetadataValue.numpyScalar(try NumpyScalar(descr: "<U3", value: .string("ab"))).canonicalJSON(), "\"ab\"")
    }

    func testStringEscapingFollowsRFC8259Minimally() {
        let text = "q\" b\\ s/ \u{0} \u{1} \u{1F} \u{7F} \u{8}\u{C}\n\r\t é 前 😀 \u{2028}"
        let expected = "\"q\\\" b\\\\ s/ \\u0000 \\u0001 \\u001f \u{7F} \\b\\f\\n\\r\\t é 前 😀 \u{2028}\""
        XCTAssertEqual(MetadataValue.string(text).canonicalJSON(), expected)
        // And it is JSON that parses back to the same text.
        let parsed = try? JSONSerialization.jsonObject(with: Data("[\(expected)]".utf8), options: []) as? [String]
        XCTAssertEqual(parsed?.first, text)
    }

    func testObjectKeysAreTextSortedByUTF8Bytes() {
        let value = MetadataValue.dict([
            MetadataEntry(key: .string("z"), value: .int(1)),
            MetadataEntry(key: .string("é"), value: .int(2)),
            MetadataEntry(key: .string("Z"), value: .int(3)),
            MetadataEntry(key: .string("e\u{301}"), value: .int(4)),  // canonically equal to "é", different bytes
            MetadataEntry(key: .int(10), value: .int(5)),
            MetadataEntry(key: .int(9), value: .int(6)),
        ])
        XCTAssertEqual(value.canonicalJSON(), "{\"10\":5,\"9\":6,\"Z\":3,\"e\u{301}\":4,\"z\":1,\"é\":2}")
    }

    func testNonStringKeysBecomeText() throws {
        let value = MetadataValue.dict([
            MetadataEntry(key: .int(3), value: .string("int")),
            MetadataEntry(key: .bigInt("1180591620717411303424"), value: .string("big")),
            MetadataEntry(key: .float(0.5), value: .string("float")),
            MetadataEntry(key: .float(.infinity), value: .string("inf")),
            MetadataEntry(key: .bool(true), value: .string("bool")),
            MetadataEntry(key: .none, value: .string("none")),
            MetadataEntry(key: .tuple([.int(1), .int(2)]), value: .string("tuple")),
            MetadataEntry(key: .numpyScalar(.int64(7)), value: .string("numpy")),
        ])
        XCTAssertEqual(value.canonicalJSON(),
                       "{\"0.5\":\"float\",\"1180591620717411303424\":\"big\",\"3\":\"int\",\"7\":\"numpy\",\"Infinity\":\"inf\",\"[1,2]\":\"tuple\",\"null\":\"none\",\"true\":\"bool\"}")
        XCTAssertEqual(value["3"]?.asString, "int")
        XCTAssertEqual(value["true"]?.asString, "bool")
        XCTAssertEqual(value["null"]?.asString, "none")
        XCTAssertEqual(value["[1,2]"]?.asString, "tuple")
    }

    func testCollidingKeyTextsAreAllKeptInValueOrder() {
        let value = MetadataValue.dict([
            MetadataEntry(key: .string("1"), value: .string("b")),
            MetadataEntry(key: .int(1), value: .string("a")),
        ])
        XCTAssertEqual(value.canonicalJSON(), "{\"1\":\"a\",\"1\":\"b\"}")
    }

    func testSetsTuplesAndNesting() {
        XCTAssertEqual(MetadataValue.set([.int(10), .int(9), .string("a"), .none]).canonicalJSON(), "[\"a\",10,9,null]")
        XCTAssertEqual(MetadataValue.tuple([.int(1), .tuple([])]).canonicalJSON(), "[1,[]]")
        XCTAssertEqual(MetadataValue.dict([]).canonicalJSON(), "{}")
        XCTAssertEqual(MetadataValue.dictionary(["b": .list([.dictionary(["a": .none])])]).canonicalJSON(), "{\"b\":[{\"a\":null}]}")
    }

    func testArraysNestInCOrder() throws {
        let floats = (0..<6).flatMap { withUnsafeBytes(of: Float($0).bitPattern.littleEndian, Array.init) }
        let matrix = try NumpyArrayValue(descr: "<f4", shape: [2, 3], data: floats)
        XCTAssertEqual(MetadataValue.numpyArray(matrix).canonicalJSON(), "[[0.0,1.0,2.0],[3.0,4.0,5.0]]")
        // The same memory read as Fortran order: element (i, j) sits at i + 2j.
        let fortran = try NumpyArrayValue(descr: "<f4", shape: [2, 3], fortranOrder: true, data: floats)
        XCTAssertEqual(MetadataValue.numpyArray(fortran).canonicalJSON(), "[[0.0,2.0,4.0],[1.0,3.0,5.0]]")
        let bigEndian = try NumpyArrayValue(descr: ">i2", shape: [2], data: [0x01, 0x02, 0xFF, 0xFE])
        XCTAssertEqual(bigEndian.descr, "<i2")
        XCTAssertEqual(MetadataValue.numpyArray(bigEndian).canonicalJSON(), "[258,-2]")
        XCTAssertEqual(MetadataValue.numpyArray(try NumpyArrayValue(descr: "|b1", shape: [], data: [1])).canonicalJSON(), "true")
        XCTAssertEqual(MetadataValue.numpyArray(try NumpyArrayValue(descr: "<f8", shape: [3, 0], data: [])).canonicalJSON(), "[[],[],[]]")
        XCTAssertEqual(MetadataValue.numpyArray(try NumpyArrayValue(descr: "<u8", shape: [1], data: [UInt8](repeating: 0xFF, count: 8))).canonicalJSON(),
                       "[18446744073709551615]")
        XCTAssertEqual(MetadataValue.numpyArray(.objectScalar(.dictionary(["k": .int(1)]))).canonicalJSON(), "{\"k\":1}")
        XCTAssertThrowsError(try NumpyArrayValue(descr: "<f4", shape: [2], data: [0, 0, 0])) {
            XCTAssertEqual(($0 as? PickleError)?.code, "pickle.invalid_value", "\($0)")
        }
        XCTAssertThrowsError(try NumpyArrayValue(descr: "<c16", shape: [0], data: [])) {
            XCTAssertEqual($0 as? PickleError, .unsupportedDType(descr: "<c16"))
        }
        XCTAssertThrowsError(try NumpyArrayValue(descr: "<f4", shape: [Int.max, 2], data: [])) {
            XCTAssertEqual(($0 as? PickleError)?.code, "pickle.invalid_value", "\($0)")
        }
    }

    func testDataFormIsTheUTF8OfTheText() {
        let value = MetadataValue.dictionary(["name": .string("前列腺")])
        XCTAssertEqual(value.canonicalJSONData(), Data(value.canonicalJSON().utf8))
        XCTAssertEqual(CanonicalJSON.encodeUTF8(value), Array(value.canonicalJSON().utf8))
    }
}

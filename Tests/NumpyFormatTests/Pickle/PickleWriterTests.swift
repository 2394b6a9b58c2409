import Foundation
import XCTest
@testable import NumpyFormat

/// The writer reproduces numpy's bytes where the manifest promises it, always round-trips
/// through the decoder, and always loads back equal in real numpy.
final class PickleWriterTests: XCTestCase {
    func testRewritingNumpysOwnPicklesGivesIdenticalBytes() throws {
        let manifest = try PickleFixtures.manifest()
        let fixtures = manifest.fixtures.filter { $0.byteIdentical == true }
        XCTAssertGreaterThanOrEqual(fixtures.count, 7, "pipeline, edge values, arrays and batching, per numpy")
        for fixture in fixtures {
            let dialect = try XCTUnwrap(fixture.pickleDialect, fixture.file)
            let original = try PickleFixtures.bytes(fixture.file)
            let metadata = try PickleDecoder().metadataDictionary(fromPickle: original)
            let rewritten = try PickleWriter.pickleObjectArray(wrapping: metadata, dialect: dialect)
            if rewritten != original {
                XCTFail("\(fixture.file): first difference at byte \(Self.firstDifference(rewritten, original)) of \(original.count)")
            }
        }
    }

    func testEveryFixtureRoundTripsThroughBothDialects() throws {
        let manifest = try PickleFixtures.manifest()
        for fixture in manifest.fixtures where fixture.kind == "metadata" && fixture.expectedError == nil {
            let value = try PickleDecoder().decode(PickleFixtures.bytes(fixture.file))
            for dialect in PickleDialect.allCases {
                let written = try PickleWriter.pickle(value, dialect: dialect)
                XCTAssertEqual(try PickleDecoder().decode(written), value, "\(fixture.file) via \(dialect)")
            }
        }
    }

    func testDialectsUseTheirNumpysModuleNamesAndProtocol() throws {
        let value = MetadataValue.dictionary(["dose": .numpyScalar(.float64(70))])
        let numpy2 = try PickleWriter.pickleObjectArray(wrapping: value, dialect: .numpy2)
        let numpy1 = try PickleWriter.pickleObjectArray(wrapping: value, dialect: .numpy1)
        XCTAssertEqual(Array(numpy2.prefix(3)), [0x80, 0x04, 0x95], "protocol 4, framed")
        XCTAssertEqual(Array(numpy1.prefix(3)), [0x80, 0x03, 0x63], "protocol 3, GLOBAL")
        XCTAssertTrue(Self.contains(numpy2, "numpy._core.multiarray"))
        XCTAssertFalse(Self.contains(numpy2, "numpy.core.multiarray"))
        XCTAssertTrue(Self.contains(numpy1, "numpy.core.multiarray\n_reconstruct\n"))
        XCTAssertTrue(Self.contains(numpy1, "numpy.core.multiarray\nscalar\n"))
    }

    func testIntegerAndStringOpcodeChoicesMatchCPython() throws {
        func body(_ value: MetadataValue, _ dialect: PickleDialect = .numpy1) throws -> [UInt8] {
            Array(try PickleWriter.pickle(value, dialect: dialect).dropFirst(2).dropLast())
        }
        XCTAssertEqual(try body(.int(0)), [0x4B, 0])
        XCTAssertEqual(try body(.int(255)), [0x4B, 255])
        XCTAssertEqual(try body(.int(256)), [0x4D, 0, 1])
        XCTAssertEqual(try body(.int(65536)), [0x4A, 0, 0, 1, 0])
        XCTAssertEqual(try body(.int(-1)), [0x4A, 0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(try body(.int(1 << 31)), [0x8A, 5, 0, 0, 0, 0x80, 0])
        XCTAssertEqual(try body(.int(-(1 << 31) - 1)), [0x8A, 5, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF])
        XCTAssertEqual(try body(.int(Int64.min)), [0x8A, 8, 0, 0, 0, 0, 0, 0, 0, 0x80])
        XCTAssertEqual(try body(.bigInt("-128")), [0x4A, 0x80, 0xFF, 0xFF, 0xFF], "in-range big ints are normalised")
        XCTAssertEqual(try body(.string("ab")), [0x58, 2, 0, 0, 0, 0x61, 0x62, 0x71, 0])
        XCTAssertEqual(try body(.string("ab"), .numpy2).dropFirst(9), [0x8C, 2, 0x61, 0x62, 0x94])
        XCTAssertEqual(try body(.float(1.0)), [0x47, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        XCTAssertThrowsError(try PickleWriter.pickle(.bigInt("12x"))) { error in
            guard case .invalidValue? = error as? PickleError else { return XCTFail("\(error)") }
        }
    }

    func testCanonicallyEquivalentStringsStayDistinct() throws {
        let value = MetadataValue.list([.string("é"), .string("e\u{301}")])
        let decoded = try PickleDecoder().decode(PickleWriter.pickle(value))
        XCTAssertEqual(decoded, value)
        XCTAssertNotEqual(MetadataValue.string("é"), MetadataValue.string("e\u{301}"))
    }

    func testHandBuiltValuesOfEveryKindRoundTrip() throws {
        let value = MetadataValue.dictionary([
            "none": .none, "flag": .bool(false), "int": .int(-7), "big": .bigInt("-340282366920938463463374607431768211457"),
            "float": .float(-0.0), "nan": .float(.nan), "text": .string("Ω"), "bytes": .bytes([0, 1, 2]),
            "list": .list([.int(1)]), "tuple": .tuple([.int(1), .int(2), .int(3), .int(4)]), "set": .set([.string("a")]),
            "scalars": .list([.numpyScalar(.float32(0.5)), .numpyScalar(.bool(true)), .numpyScalar(.bool(true)),
                              .numpyScalar(try NumpyScalar(descr: "|S2", value: .bytes([1]))),
                              .numpyScalar(try NumpyScalar(descr: ">f8", value: .float(2)))]),
            "array": .numpyArray(try NumpyArrayValue(descr: "|u1", shape: [2, 2], fortranOrder: true, data: [1, 2, 3, 4])),
            "objects": .numpyArray(try NumpyArrayValue(objectElements: [.none, .int(1)], shape: [2, 1])),
        ])
        for dialect in PickleDialect.allCases {
            let decoded = try PickleDecoder().metadataDictionary(fromPickle: PickleWriter.pickleObjectArray(wrapping: value, dialect: dialect))
            XCTAssertEqual(decoded, value, "\(dialect)")
        }
    }

    // MARK: - Checked by numpy itself

    /// Swift writes every fixture's value as a `.npy`; numpy 2 loads it with `np.load`,
    /// its canonical JSON matches, its Python types equal the original's, and CPython
    /// re-pickling what it loaded reproduces Swift's bytes exactly.
    func testNumpy2LoadsWhatSwiftWrites() throws {
        try checkWithPython(numpyMajor: 2, dialect: .numpy2, redumpProtocol: 4)
    }

    func testNumpy1LoadsWhatSwiftWritesInItsDialect() throws {
        try checkWithPython(numpyMajor: 1, dialect: .numpy1, redumpProtocol: 3)
    }

    func testNumpy2AlsoLoadsTheNumpy1Dialect() throws {
        try checkWithPython(numpyMajor: 2, dialect: .numpy1, redumpProtocol: nil)
    }

    func testBarePicklesLoadWithPlainPickleLoads() throws {
        let python = try PickleFixtures.requirePython(numpyMajor: 2)
        let directory = try PickleFixtures.temporaryDirectory(self)
        let value = MetadataValue.dictionary(["a": .tuple([.int(1), .float(2.5)]), "b": .set([.int(3)]), "c": .bytes([0xFF])])
        var requests: [PickleFixtures.CheckRequest] = []
        for dialect in PickleDialect.allCases {
            let path = directory.appendingPathComponent("bare-\(dialect).pkl")
            try Data(PickleWriter.pickle(value, dialect: dialect)).write(to: path)
            requests.append(.init(path: path.path, redumpProtocol: Int(dialect.protocolVersion)))
        }
        for result in try PickleFixtures.check(requests, python: python) {
            XCTAssertNil(result.error)
            XCTAssertEqual(result.canonicalJSON, value.canonicalJSON())
            XCTAssertEqual(result.redumpIdentical, true)
        }
    }

    /// Metadata over 64 KiB spans several frames, and a 64 KiB+ string is written outside
    /// any frame; CPython must agree on every boundary.
    func testLargeMetadataFramesLikeCPython() throws {
        let python = try PickleFixtures.requirePython(numpyMajor: 2)
        let directory = try PickleFixtures.temporaryDirectory(self)
        let rows = (0..<3000).map { index in
            MetadataValue.dictionary(["structure": .string("ROI_\(index)"), "volume_cc": .float(Double(index) * 1.25),
                                      "present": .numpyScalar(.bool(index % 3 == 0)), "voxels": .int(Int64(index) * 977)])
        }
        let values: [(String, MetadataValue)] = [
            ("rows", .dictionary(["rows": .list(rows)])),
            ("huge-string", .dictionary(["a": .string("x"), "blob": .string(String(repeating: "y", count: 70_000)), "z": .int(1)])),
            ("huge-bytes-last", .dictionary(["a": .bytes([UInt8](repeating: 7, count: 65_536))])),
            ("just-under", .dictionary(["a": .string(String(repeating: "z", count: 65_520)), "b": .string("tail")])),
        ]
        var requests: [PickleFixtures.CheckRequest] = []
        for (name, value) in values {
            let path = directory.appendingPathComponent("\(name).npy")
            try Data(PickleFixtures.objectNPY(pickle: PickleWriter.pickleObjectArray(wrapping: value, dialect: .numpy2))).write(to: path)
            requests.append(.init(path: path.path, redumpProtocol: 4))
        }
        let results = try PickleFixtures.check(requests, python: python)
        for ((name, value), result) in zip(values, results) {
            XCTAssertNil(result.error, name)
            XCTAssertEqual(result.canonicalJSON, value.canonicalJSON(), name)
            XCTAssertEqual(result.redumpIdentical, true, "\(name): CPython frames it differently")
        }
    }

    private func checkWithPython(numpyMajor: Int, dialect: PickleDialect, redumpProtocol: Int?) throws {
        let python = try PickleFixtures.requirePython(numpyMajor: numpyMajor)
        let manifest = try PickleFixtures.manifest()
        let directory = try PickleFixtures.temporaryDirectory(self)
        let fixtures = manifest.fixtures.filter { $0.kind == "metadata" && $0.expectedError == nil && $0.protocolVersion == 2 }
        XCTAssertFalse(fixtures.isEmpty)
        var requests: [PickleFixtures.CheckRequest] = []
        var expectations: [(file: String, json: String, typesPreserved: Bool)] = []
        for fixture in fixtures {
            let source = try PickleFixtures.directory.appendingPathComponent(fixture.file)
            let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes(fixture.file))
            let path = directory.appendingPathComponent(fixture.file + ".npy")
            try Data(PickleFixtures.objectNPY(pickle: PickleWriter.pickleObjectArray(wrapping: metadata, dialect: dialect))).write(to: path)
            // numpy 1 cannot import numpy 2's `numpy._core`, so it only compares with numpy-1 originals.
            let referenceLoadable = numpyMajor == 2 || fixture.dialect == "numpy1"
            let typesPreserved = (fixture.pythonTypesPreserved ?? false) && referenceLoadable
            requests.append(.init(path: path.path, reference: typesPreserved ? source.path : nil, redumpProtocol: redumpProtocol))
            expectations.append((fixture.file, try XCTUnwrap(fixture.expected.flatMap { manifest.expected[$0] }), typesPreserved))
        }
        let results = try PickleFixtures.check(requests, python: python)
        XCTAssertEqual(results.count, expectations.count)
        for (expected, result) in zip(expectations, results) {
            XCTAssertTrue(result.numpy.hasPrefix("\(numpyMajor)."), result.numpy)
            XCTAssertNil(result.error, expected.file)
            XCTAssertEqual(result.canonicalJSON, expected.json, expected.file)
            if expected.typesPreserved { XCTAssertEqual(result.equalsReference, true, "\(expected.file): types or values differ") }
            if redumpProtocol != nil { XCTAssertEqual(result.redumpIdentical, true, "\(expected.file): CPython re-pickles differently") }
        }
    }

    // MARK: - Helpers

    private static func firstDifference(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        zip(lhs, rhs).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(lhs.count, rhs.count)
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= bytes.count else { return false }
        return (0...(bytes.count - needle.count)).contains { Array(bytes[$0..<$0 + needle.count]) == needle }
    }
}

import Foundation
import XCTest
@testable import NumpyFormat

/// Every pickle numpy 1.x and 2.x wrote for metadata-like dicts (protocols 0–5) decodes to
/// the canonical JSON that the fixture script's independent Python implementation computed.
final class PickleDecoderFixtureTests: XCTestCase {
    func testEveryMetadataFixtureDecodesToItsExpectedCanonicalJSON() throws {
        let manifest = try PickleFixtures.manifest()
        let fixtures = manifest.fixtures.filter { $0.kind == "metadata" && $0.expectedError == nil }
        XCTAssertGreaterThanOrEqual(fixtures.count, 60, "fixture set shrank; regenerate with make_pickle_fixtures.py")
        for fixture in fixtures {
            let bytes = try PickleFixtures.bytes(fixture.file)
            let expected = try XCTUnwrap(fixture.expected.flatMap { manifest.expected[$0] }, fixture.file)
            do {
                let metadata = try PickleDecoder().metadataDictionary(fromPickle: bytes)
                XCTAssertEqual(metadata.canonicalJSON(), expected, fixture.file)
            } catch {
                XCTFail("\(fixture.file): \(error)")
            }
        }
    }

    func testBothNumpyMajorVersionsAreCovered() throws {
        let manifest = try PickleFixtures.manifest()
        let files = manifest.fixtures.map(\.file)
        XCTAssertTrue(files.contains("pipeline_v24.numpy2.p4.pkl"))
        XCTAssertTrue(files.contains("pipeline_v24.numpy2.p0.pkl"), "protocol 0 text opcodes")
        if manifest.numpy1 == "unavailable" {
            throw XCTSkip("fixtures were generated without numpy 1.x (apt-get install python3-numpy, then rerun make_pickle_fixtures.py)")
        }
        XCTAssertTrue(files.contains("pipeline_v24.numpy1.p3.pkl"))
    }

    /// The same Python value pickled with any protocol, by either numpy, decodes to the
    /// same `MetadataValue` — not just the same JSON.
    func testAllProtocolsAndNumpyVersionsDecodeToTheSameValue() throws {
        let manifest = try PickleFixtures.manifest()
        var firstByValue: [String: (file: String, value: MetadataValue)] = [:]
        for fixture in manifest.fixtures where fixture.kind == "metadata" && fixture.expectedError == nil {
            guard let expectedName = fixture.expected else { continue }
            let valueName = String(expectedName.split(separator: ".").first ?? "")
            let value = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes(fixture.file))
            if let first = firstByValue[valueName] {
                XCTAssertEqual(value, first.value, "\(fixture.file) differs from \(first.file)")
            } else {
                firstByValue[valueName] = (fixture.file, value)
            }
        }
        XCTAssertEqual(firstByValue.count, 8)
    }

    func testPipelineMetadataReadsThroughTheAccessors() throws {
        let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes("pipeline_v24.numpy2.p4.pkl"))
        XCTAssertEqual(metadata["case_id"]?.asString, "prostate_0042")
        XCTAssertEqual(metadata["script_version"]?.asString, "2.4.0")
        XCTAssertEqual(metadata["normalization_dose_gy"]?.asDouble, 70.0)
        XCTAssertEqual(metadata["prescription_info"]?["fractions"]?.asInt, 28)
        XCTAssertEqual(metadata["case_type"]?["type"]?.asString, "sib_3level")
        XCTAssertEqual(metadata["case_type"]?["ptv70_exists"]?.asBool, true)
        XCTAssertEqual(metadata["voxel_spacing_mm"]?.asArray?.compactMap(\.asDouble), [0.9765625, 0.9765625, 2.5])
        XCTAssertEqual(metadata["crop_box"]?["y_start"]?.asInt, 106)
        // structure_channels has int keys; the string subscript finds them by their JSON text.
        XCTAssertEqual(metadata["structure_channels"]?["0"]?.asString, "PTV70")
        XCTAssertEqual(metadata["structure_channels"]?["8"]?.asString, "PTV50.4")
        XCTAssertEqual(metadata["beam_geometry"]?["beams"]?.asArray?.count, 2)
        XCTAssertNil(metadata["no_such_key"])
        // A flag is not a number, and a string is not a flag.
        XCTAssertNil(metadata["case_type"]?["ptv70_exists"]?.asDouble)
        XCTAssertNil(metadata["case_id"]?.asBool)
    }

    func testNumpyTypesSurviveDecoding() throws {
        let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes("pipeline_v24.numpy2.p4.pkl"))
        XCTAssertEqual(metadata["normalization_dose_gy"], .numpyScalar(.float64(70.0)))
        XCTAssertEqual(metadata["case_type"]?["ptv70_exists"], .numpyScalar(.bool(true)))
        XCTAssertEqual(metadata["crop_box"]?["x_start"], .numpyScalar(.int64(98)))
        XCTAssertEqual(metadata["sdf_clip_mm"], .float(50.0))
        guard case .tuple = metadata["voxel_spacing_mm"] else {
            return XCTFail("voxel_spacing_mm should stay a tuple, got \(String(describing: metadata["voxel_spacing_mm"]))")
        }
        guard case .dict(let entries) = metadata["structure_channels"] else { return XCTFail("structure_channels is not a dict") }
        XCTAssertEqual(entries.first?.key, .int(0), "int keys stay ints")
    }

    func testEdgeValuesKeepTheirExactTypes() throws {
        let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes("edge_values.numpy2.p4.pkl"))
        XCTAssertEqual(metadata["big_ints"]?.asArray?.first, .bigInt("9223372036854775808"))
        XCTAssertEqual(metadata["big_ints"]?.asArray?[1], .bigInt("-9223372036854775809"))
        XCTAssertEqual(metadata["ints"]?.asArray?.last, .int(Int64.min))
        let scalars = try XCTUnwrap(metadata["numpy_scalars"])
        XCTAssertEqual(scalars["u8"], .numpyScalar(try NumpyScalar(descr: "<u8", value: .bigInt("18446744073709551615"))))
        XCTAssertEqual(scalars["f4"], .numpyScalar(.float32(0.1)))
        XCTAssertEqual(scalars["f2"]?.asDouble, Double(Float16(0.333)))
        XCTAssertEqual(scalars["i1"], .numpyScalar(try NumpyScalar(descr: "|i1", value: .int(-5))))
        XCTAssertEqual(scalars["str_"], .numpyScalar(try NumpyScalar(descr: "<U7", value: .string("Femur_L"))))
        XCTAssertEqual(scalars["bytes_"], .numpyScalar(try NumpyScalar(descr: "|S4", value: .bytes(Array("RT\u{0}x".utf8)))))
        guard case .float(let nan)? = metadata["specials"]?.asArray?.first else { return XCTFail("NaN missing") }
        XCTAssertTrue(nan.isNaN)
        guard case .float(let negativeZero)? = metadata["floats"]?.asArray?[1] else { return XCTFail("-0.0 missing") }
        XCTAssertEqual(negativeZero.sign, .minus)
        XCTAssertEqual(metadata["bytes"]?.asArray?.last, .bytes((0...255).map { UInt8($0) }))
        XCTAssertEqual(metadata["unicode"]?.asArray?[1], .string("前列腺"))
    }

    func testNumpyArraysDecodeWithShapeOrderAndValues() throws {
        let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes("numpy_arrays.numpy2.p5.pkl"))
        guard case .numpyArray(let matrix)? = metadata["f4_2x3"] else { return XCTFail("f4_2x3 is not an array") }
        XCTAssertEqual(matrix.descr, "<f4")
        XCTAssertEqual(matrix.shape, [2, 3])
        XCTAssertEqual(matrix.elementsInCOrder().compactMap(\.asDouble), (0..<6).map { Double(Float($0) / 3) })
        guard case .numpyArray(let fortran)? = metadata["f8_fortran"] else { return XCTFail("f8_fortran is not an array") }
        XCTAssertTrue(fortran.fortranOrder)
        XCTAssertEqual(fortran.elementsInCOrder().compactMap(\.asDouble), [1.0, 2.0, 3.0, 4.5])
        guard case .numpyArray(let objects)? = metadata["objects"] else { return XCTFail("objects is not an array") }
        XCTAssertEqual(objects.objectElements, [.dictionary(["a": .int(1)]), .none, .string("s")])
        XCTAssertEqual(metadata["zero_d"]?.canonicalJSON(), "1.5")
        XCTAssertEqual(metadata["empty_0x3"]?.canonicalJSON(), "[]")
    }

    func testNonIdenticalFixtureFoldsPythonOnlyTypes() throws {
        let metadata = try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes("nonidentical.numpy2.p2.pkl"))
        XCTAssertEqual(metadata["frozenset"], .set([.int(5), .int(6)]))
        XCTAssertEqual(metadata["ordered"], .dictionary(["b": .int(1), "a": .int(2)]))
        XCTAssertEqual(metadata["bytearray"], .bytes(Array("xy".utf8)))
        guard case .numpyArray(let bigEndian)? = metadata["big_endian"] else { return XCTFail("big_endian is not an array") }
        XCTAssertEqual(bigEndian.descr, "<i2", "stored little-endian")
        XCTAssertEqual(bigEndian.data, [0, 0, 1, 0, 2, 0])
        XCTAssertEqual(metadata["shared_list"], .list([.list([.int(1), .int(2)]), .list([.int(1), .int(2)])]))
    }

    func testNotADictionaryIsReportedWithWhatWasFound() throws {
        let manifest = try PickleFixtures.manifest()
        let fixtures = manifest.fixtures.filter { $0.kind == "metadata" && $0.expectedError != nil }
        XCTAssertFalse(fixtures.isEmpty)
        for fixture in fixtures {
            let expected = try XCTUnwrap(fixture.expectedError)
            XCTAssertThrowsError(try PickleDecoder().metadataDictionary(fromPickle: PickleFixtures.bytes(fixture.file)), fixture.file) { error in
                guard let error = error as? PickleError else { return XCTFail("\(fixture.file): \(error)") }
                if let mismatch = expected.mismatch(with: error) { XCTFail("\(fixture.file): \(mismatch)") }
            }
            // The element itself is still reachable for callers that want it.
            XCTAssertEqual(try PickleDecoder().decodeNumpyObjectScalar(PickleFixtures.bytes(fixture.file)), .list([.int(1), .int(2)]))
        }
    }

    func testBareDictionaryAndNonArraysThroughTheUnwrapHelpers() throws {
        let bare = try PickleWriter.pickle(.dictionary(["a": .int(1)]))
        XCTAssertEqual(try PickleDecoder().metadataDictionary(fromPickle: bare), .dictionary(["a": .int(1)]))
        XCTAssertThrowsError(try PickleDecoder().decodeNumpyObjectScalar(bare)) { error in
            XCTAssertEqual(error as? PickleError, .notAnObjectScalar(found: "dict"))
        }
        let number = try PickleWriter.pickle(.int(3))
        XCTAssertThrowsError(try PickleDecoder().metadataDictionary(fromPickle: number)) { error in
            XCTAssertEqual(error as? PickleError, .notADictionary(found: "int"))
        }
    }

    func testProtocolZeroPython2StyleStrings() throws {
        // Python 2's pickle.dumps({'k': 'caf\xe9', 'n': 2L}, 0): STRING and LONG opcodes,
        // text memo indices. numpy reads such str as Latin-1, and so does dosecurate.
        let pickle = Array("(dp0\nS'k'\np1\nS'caf\\xe9\\n'\np2\nsS'n'\np3\nL2L\nsS'f'\nF0.25\nsS't'\nI01\ns.".utf8)
        let value = try PickleDecoder().decode(pickle)
        XCTAssertEqual(value, .dictionary(["k": .string("café\n"), "n": .int(2), "f": .float(0.25), "t": .bool(true)]))
        let unicode = Array("Vcaf\\u00e9 \\U0001f600\np0\n.".utf8)
        XCTAssertEqual(try PickleDecoder().decode(unicode), .string("café 😀"))
    }

    func testPython2BinaryStringsAreLatin1AndFeedNumpyScalars() throws {
        // SHORT_BINSTRING / BINSTRING: Python 2 byte strings, read as Latin-1 str.
        XCTAssertEqual(try PickleDecoder().decode([0x80, 0x02, 0x55, 2, 0x68, 0xE9, 0x2E]), .string("hé"))
        XCTAssertEqual(try PickleDecoder().decode([0x80, 0x02, 0x54, 1, 0, 0, 0, 0xFF, 0x2E]), .string("ÿ"))
        XCTAssertThrowsError(try PickleDecoder().decode([0x80, 0x02, 0x54, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E])) { error in
            guard case .invalidText? = error as? PickleError else { return XCTFail("\(error)") }
        }
        // numpy under Python 2: dtype('f8', 0, 1) without BUILD, element bytes as a str.
        let scalar: [UInt8] = [0x80, 0x02] + Array("cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\n".utf8)
            + [0x55, 2] + Array("f8".utf8) + [0x4B, 0, 0x4B, 1, 0x87, 0x52]
            + [0x55, 8] + withUnsafeBytes(of: (1.5).bitPattern.littleEndian, Array.init) + [0x86, 0x52, 0x2E]
        XCTAssertEqual(try PickleDecoder().decode(scalar), .numpyScalar(.float64(1.5)))
    }
}

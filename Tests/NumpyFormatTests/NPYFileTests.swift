import Foundation
import NumpyFormat
import XCTest

/// `.npy` files written by the real NumPy (see Fixtures/make_numpy_fixtures.py).
final class NPYFileTests: XCTestCase {
    struct Manifest: Decodable { let files: [String: ExpectedArray] }

    func testEveryNumpyWrittenFileReadsExactly() throws {
        let manifest = try FixtureSupport.decode(Manifest.self, from: "npy/manifest.json")
        XCTAssertGreaterThanOrEqual(manifest.files.count, 50)
        for (name, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            let array = try NPYFile.read(path: FixtureSupport.path("npy/\(name)"))
            XCTAssertEqual(array.dtype.descr, expected.descr, name)
            XCTAssertEqual(array.shape, expected.shape, name)
            XCTAssertEqual(array.header.fortranOrder, expected.fortran_order, name)
            if let version = expected.version {
                XCTAssertEqual([Int(array.header.versionMajor), Int(array.header.versionMinor)], version, name)
            }
            XCTAssertEqual(FixtureSupport.sha256Hex(of: array), expected.canonical_sha256, "\(name): canonical bytes")
            try assertElements(array, equal: expected, name)
        }
    }

    func testCanonicalChunksAgreeWithWholeCopyWhateverTheChunkSize() throws {
        let array = try NPYFile.read(path: FixtureSupport.path("npy/f8_be_f.npy"))
        let whole = array.canonicalBytes()
        for chunkBytes in [8, 24, 40, 1000] {
            var joined: [UInt8] = []
            array.forEachCanonicalChunk(maxChunkBytes: chunkBytes) { joined.append(contentsOf: $0) }
            XCTAssertEqual(joined, whole, "chunk size \(chunkBytes)")
        }
    }

    /// numpy.save's bytes, reproduced: same header padding, same data, for every LE C-order fixture
    /// and for arrays that were big-endian or Fortran-ordered on disk (numpy.save would write them
    /// as their little-endian C-order equivalents only after conversion, which the fixture for the
    /// same values in that layout is).
    func testEncodingIsByteIdenticalToNumpySave() throws {
        let manifest = try FixtureSupport.decode(Manifest.self, from: "npy/manifest.json")
        var compared = 0
        for (name, expected) in manifest.files where expected.version == [1, 0] && !expected.fortran_order
            && !expected.descr.hasPrefix(">") {
            let path = try FixtureSupport.path("npy/\(name)")
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            XCTAssertEqual(NPYFile.encode(try NPYFile.read(path: path)), original, name)
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 15)
        // The same values stored big-endian in Fortran order encode to the little-endian C-order file.
        for code in ["i2", "u4", "f8"] {
            let fromFortran = try NPYFile.read(path: FixtureSupport.path("npy/\(code)_be_f.npy"))
            let reference = try Data(contentsOf: FixtureSupport.url("npy/\(code)_le_c.npy"))
            XCTAssertEqual(NPYFile.encode(fromFortran), [UInt8](reference), code)
        }
    }

    func testTypedAccessConvertsOnlyWhereNumpyCastingAllows() throws {
        let masks = try NPYFile.read(path: FixtureSupport.path("npy/masks_u1_f.npy"))
        let asFloat = try masks.elements(as: Float.self)
        let asBytes = try masks.elements(as: UInt8.self)
        XCTAssertEqual(asFloat, asBytes.map(Float.init))
        let floats = try NPYFile.read(path: FixtureSupport.path("npy/f4_le_c.npy"))
        XCTAssertThrowsError(try floats.elements(as: UInt8.self)) { error in
            XCTAssertEqual(error as? NPYError, .castNotAllowed(source: floats.source, from: "<f4", to: "u1", casting: "safe"))
            XCTAssertEqual((error as? NPYError)?.code, "npy.cast_not_allowed")
            XCTAssertTrue(floats.source.hasSuffix("f4_le_c.npy"), floats.source)
        }
        let doubles = try NPYFile.read(path: FixtureSupport.path("npy/f8_le_c.npy"))
        XCTAssertThrowsError(try doubles.elements(as: Float.self)) {
            XCTAssertEqual(($0 as? NPYError)?.code, "npy.cast_not_allowed", "\($0)")
        }
        let narrowed = try doubles.elements(as: Float.self, casting: .sameKind)
        XCTAssertEqual(narrowed.count, 60)
        XCTAssertEqual(Double(narrowed[1]), Double(Float(try doubles.elements(as: Double.self)[1])))
        let signed = try NPYFile.read(path: FixtureSupport.path("npy/i2_le_c.npy"))
        XCTAssertThrowsError(try signed.elements(as: UInt16.self, casting: .sameKind)) {
            XCTAssertEqual(($0 as? NPYError)?.code, "npy.cast_not_allowed", "\($0)")
        }
        XCTAssertEqual(try signed.elements(as: Int64.self).map(Double.init), try signed.elements(as: Double.self))
    }

    func testCastingTableMatchesNumpyCanCast() {
        // Spot values of numpy.can_cast(from, to, 'safe').
        let safe: [(NPYScalarKind, NPYScalarKind, Bool)] = [
            (.int32, .float32, false), (.int32, .float64, true), (.int64, .float64, true), (.int16, .float32, true),
            (.int8, .float16, true), (.int16, .float16, false), (.uint8, .int8, false), (.uint8, .int16, true),
            (.uint64, .float64, true), (.int8, .uint64, false), (.bool, .float16, true), (.float16, .float64, true),
            (.float64, .float32, false), (.uint32, .int64, true), (.uint64, .int64, false),
        ]
        for (from, to, allowed) in safe {
            XCTAssertEqual(NPYCasting.safe.allows(from: from, to: to), allowed, "\(from) → \(to)")
        }
        XCTAssertTrue(NPYCasting.sameKind.allows(from: .float64, to: .float16))
        XCTAssertFalse(NPYCasting.sameKind.allows(from: .float32, to: .int64))
    }

    func testWritingIsAtomicAndReadable() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("dose.npy").path
        let array = try NPYArray(shape: [2, 3], elements: [Float](arrayLiteral: 0, 0.5, 1, 1.5, -2, 70))
        try NPYFile.write(array, to: path)
        XCTAssertEqual(try NPYFile.read(path: path).elements(as: Float.self), [0, 0.5, 1, 1.5, -2, 70])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["dose.npy"])
        XCTAssertThrowsError(try NPYArray(shape: [4], elements: [Float](repeating: 0, count: 3))) {
            XCTAssertEqual(($0 as? NPYError)?.code, "npy.invalid_shape", "\($0)")
        }
    }

    /// The header length is a little-endian count added to the fixed part: a length whose low byte
    /// carries into the high one (502 = 0x01F6) once read as 256 instead of 512, and a length of 0
    /// or 1 (too short for any dict) made the member reader trap.
    func testHeaderLengthIsReadAsOneNumberAndMustHoldADict() throws {
        let prefix = NPYHeader.magic + [1, 0]
        XCTAssertEqual(try NPYHeader.preambleLength(of: prefix + [0xF6, 0x01, 0, 0], source: "x.npy"), 10 + 502)
        XCTAssertEqual(try NPYHeader.preambleLength(of: NPYHeader.magic + [2, 0, 0xF4, 0x01, 0, 0], source: "x.npy"), 12 + 500)
        for length: UInt8 in [0, 1] {
            XCTAssertThrowsError(try NPYHeader.preambleLength(of: prefix + [length, 0, 0, 0], source: "x.npy")) { error in
                guard case let NPYError.notNPY(source, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual((error as? NPYError)?.code, "npy.not_npy")
                XCTAssertEqual(source, "x.npy")
            }
        }
    }
}

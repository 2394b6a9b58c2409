import Foundation
import NumpyFormat
import XCTest

/// dosecurate writes, NumPy reads (when python3 with numpy is available), and dosecurate reads back.
final class NPZWriterTests: XCTestCase {
    /// Arrays taken from numpy-written fixtures in every layout, so the writer must convert
    /// big-endian and Fortran-ordered data to what numpy.save would write.
    private func sampleArrays() throws -> [(key: String, array: NPYArray)] {
        try ["f4_be_f", "u1_na_c", "i8_le_f", "f2_le_c", "b1_na_f", "u8_be_c", "scalar_f8", "empty_f4"].map { name in
            (key: name, array: try NPYFile.read(path: FixtureSupport.path("npy/\(name).npy")))
        }
    }

    func testRoundTripThroughDosecurate() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arrays = try sampleArrays()
        for compression in [NPZWriter.Compression.stored, .deflate] {
            let path = directory.appendingPathComponent("\(compression).npz").path
            try NPZWriter.write(arrays, to: path, compression: compression)
            let archive = try NPZArchive(path: path)
            XCTAssertEqual(archive.keys, arrays.map(\.key))
            XCTAssertEqual(archive.members.allSatisfy { $0.isCompressed == (compression == .deflate) }, true)
            for (key, original) in arrays {
                let reread = try archive.read(key)
                XCTAssertEqual(reread.shape, original.shape, key)
                XCTAssertEqual(reread.dtype.descr, original.dtype.canonicalDescr, key)
                XCTAssertFalse(reread.header.fortranOrder)
                XCTAssertEqual(reread.canonicalBytes(), original.canonicalBytes(), key)
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["deflate.npz", "stored.npz"])
    }

    func testWriterRefusesRepeatedKeysAndLeavesNoFile() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let array = try NPYArray(shape: [1], elements: [Float(1)])
        let path = directory.appendingPathComponent("bad.npz").path
        XCTAssertThrowsError(try NPZWriter.write([("a", array), ("a", array)], to: path)) {
            XCTAssertEqual(($0 as? NPZError)?.code, "npz.write_failed", "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testNumpyLoadsWhatDosecurateWrites() throws {
        guard let python = PythonWithNumpy.locate() else {
            throw XCTSkip("python3 with numpy not found; skipping the NumPy round trip")
        }
        let directory = try FixtureSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arrays = try sampleArrays()
        let manifest = try FixtureSupport.url("npy/manifest.json").path
        for compression in [NPZWriter.Compression.stored, .deflate] {
            let path = directory.appendingPathComponent("\(compression).npz").path
            try NPZWriter.write(arrays, to: path, compression: compression)
            // numpy.load must return arrays equal (bitwise, NaN included) to the fixtures they came from.
            let script = """
            import json, sys, numpy as np, os
            manifest = json.load(open(sys.argv[2]))["files"]
            npy_dir = os.path.dirname(sys.argv[2])
            with np.load(sys.argv[1]) as archive:
                for key in archive.files:
                    got = archive[key]
                    want = np.load(os.path.join(npy_dir, key + ".npy"))
                    assert got.dtype == want.dtype.newbyteorder("<"), (key, got.dtype, want.dtype)
                    assert got.flags.c_contiguous and got.shape == want.shape, key
                    assert got.tobytes() == np.ascontiguousarray(want.astype(want.dtype.newbyteorder("<"))).tobytes(), key
                print(len(archive.files))
            """
            let output = try python.run(script: script, arguments: [path, manifest])
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "\(arrays.count)", "\(compression)")
        }
    }

    func testNumpySaveProducesTheSameMemberBytes() throws {
        guard let python = PythonWithNumpy.locate() else {
            throw XCTSkip("python3 with numpy not found; skipping the numpy.save comparison")
        }
        let directory = try FixtureSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ours.npz").path
        try NPZWriter.write(try sampleArrays(), to: path, compression: .stored)
        // Each member's bytes must equal what numpy.save writes for the loaded array.
        let script = """
        import io, sys, zipfile, numpy as np
        with zipfile.ZipFile(sys.argv[1]) as z:
            for name in z.namelist():
                raw = z.read(name)
                buffer = io.BytesIO()
                np.save(buffer, np.load(io.BytesIO(raw)))
                assert buffer.getvalue() == raw, name
            print("identical", len(z.namelist()))
        """
        XCTAssertEqual(try python.run(script: script, arguments: [path]).trimmingCharacters(in: .whitespacesAndNewlines), "identical 8")
    }
}

/// A python3 that can import numpy, for round-trip tests.
struct PythonWithNumpy {
    let executable: String

    /// The first `python3` on PATH, if it imports numpy.
    static func locate() -> PythonWithNumpy? {
        let python = PythonWithNumpy(executable: "/usr/bin/env")
        return (try? python.run(script: "import numpy; print('ok')", arguments: []))?.hasPrefix("ok") == true ? python : nil
    }

    func run(script: String, arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "python3", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: errorText])
        }
        return String(decoding: data, as: UTF8.self)
    }
}

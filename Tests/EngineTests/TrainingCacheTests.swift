import Support
import Dosimetry
import Engine
import Foundation
import SharedCohort
import XCTest

/// The HDF5 training cache: boxes read back equal the arrays written (zero outside the volume),
/// and h5py (when installed) sees the documented layout, chunking and attributes.
final class TrainingCacheTests: XCTestCase {
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func cases() -> [TrainingCacheFile.Case] {
        var generator = SeededGenerator(seed: 8)
        return [("case_a", [40, 35, 20], "train"), ("case_b", [12, 9, 33], "val")].map { caseId, extent, role in
            // Structure channel s marks the voxels whose flat index is s mod 3.
            let voxels = extent.reduce(1, *)
            let masks: [UInt8] = (0..<(2 * voxels)).map { index in index % voxels % 3 == index / voxels ? 1 : 0 }
            return TrainingCacheFile.Case(caseId: caseId, role: role, caseHash: "hash-\(caseId)",
                                   input: .uniform([1, 3] + extent, bound: 1, generator: &generator),
                                   dose: .uniform([1, 1] + extent, bound: 1, generator: &generator),
                                   masks: masks,
                                   constraints: (0..<13).map { Float($0) / 10 }, filledChannels: caseId == "case_b" ? ["PTV50.4"] : [])
        }
    }

    func testBoxesReadBackWithZeroPadding() throws {
        let path = folder.appendingPathComponent("cache.h5").path
        let written = cases()
        var iterator = written.makeIterator()
        try TrainingCacheFile.write(to: path, attributes: ["dataset_version": "dsv-test", "split": "{\"name\":\"main\"}"]) { iterator.next() }
        XCTAssertEqual(try TrainingCacheReader(path: path).attribute("case_ids"), #"["case_a","case_b"]"#)
        XCTAssertEqual(try TrainingCacheReader(path: path).attribute("dataset_version"), "dsv-test")
        XCTAssertEqual(try TrainingCacheReader(path: path).attribute("format"), TrainingCacheFile.format)

        for item in written {
            let extent = Array(item.input.shape.suffix(3))
            for (start, size) in [([0, 0, 0], extent), ([5, -3, 7], [16, 16, 16]), ([-4, 2, -1], [8, 6, 40])] {
                let box = try TrainingCacheReader(path: path).readBox(caseId: item.caseId, array: "input", start: start, size: size)
                let dose = try TrainingCacheReader(path: path).readBox(caseId: item.caseId, array: "dose", start: start, size: size)
                let masks = try TrainingCacheReader(path: path).readMaskBox(caseId: item.caseId, start: start, size: size)
                let boxCount = size.reduce(1, *), volumeCount = extent.reduce(1, *)
                for channel in 0..<3 {
                    for y in 0..<size[0] { for x in 0..<size[1] { for z in 0..<size[2] {
                        let (vy, vx, vz) = (start[0] + y, start[1] + x, start[2] + z)
                        let inside = vy >= 0 && vy < extent[0] && vx >= 0 && vx < extent[1] && vz >= 0 && vz < extent[2]
                        let volumeIndex = (vy * extent[1] + vx) * extent[2] + vz
                        let boxIndex = (y * size[1] + x) * size[2] + z
                        let expected = inside ? item.input.elements[channel * volumeCount + volumeIndex] : 0
                        guard box[channel * boxCount + boxIndex] == expected else {
                            return XCTFail("\(item.caseId) box at \(start): input channel \(channel) (\(y), \(x), \(z))")
                        }
                        if channel == 0, dose[boxIndex] != (inside ? item.dose.elements[volumeIndex] : 0) {
                            return XCTFail("\(item.caseId) box at \(start): dose (\(y), \(x), \(z))")
                        }
                        if channel < 2, masks[channel * boxCount + boxIndex] != (inside ? item.masks[channel * volumeCount + volumeIndex] : 0) {
                            return XCTFail("\(item.caseId) box at \(start): mask \(channel) (\(y), \(x), \(z))")
                        }
                    } } }
                }
            }
        }
        XCTAssertThrowsError(try TrainingCacheReader(path: path).readBox(caseId: "case_c", array: "dose", start: [0, 0, 0], size: [1, 1, 1])) {
            XCTAssertEqual(($0 as? TrainingCacheError)?.code, "training_cache.missing")
            XCTAssertEqual($0 as? TrainingCacheError, .missing(file: path, object: "cases/case_c/dose"))
        }
    }

    func testH5pySeesTheDocumentedLayout() throws {
        let python = URL(fileURLWithPath: "/usr/bin/env")
        guard try TestProcess.run(python, ["python3", "-c", "import h5py"]).status == 0 else { throw XCTSkip("h5py is not installed for python3") }
        let path = folder.appendingPathComponent("cache.h5").path
        var iterator = cases().makeIterator()
        try TrainingCacheFile.write(to: path, attributes: ["dataset_version": "dsv-test"]) { iterator.next() }
        let script = """
        import h5py, json, sys
        f = h5py.File(sys.argv[1], "r")
        ids = json.loads(f.attrs["case_ids"])
        assert ids == ["case_a", "case_b"], ids
        a = f["cases/case_a"]
        assert a["input"].shape == (3, 40, 35, 20) and a["input"].dtype == "float32", a["input"]
        assert a["input"].chunks == (1, 32, 32, 20) and a["input"].compression == "gzip", a["input"].chunks
        assert a["dose"].shape == (40, 35, 20) and a["dose"].chunks == (32, 32, 20)
        assert a["masks"].shape == (2, 40, 35, 20) and a["masks"].dtype == "uint8" and int(a["masks"][1].sum()) == (40 * 35 * 20 + 1) // 3
        assert a.attrs["role"] == "train" and a.attrs["case_hash"] == "hash-case_a"
        assert json.loads(f["cases/case_b"].attrs["filled_channels"]) == ["PTV50.4"]
        assert abs(float(a.attrs["constraints"][12]) - 1.2) < 1e-6
        print(float(a["input"][2, 39, 34, 19]), float(a["dose"][0, 0, 0]))
        """
        let result = try TestProcess.run(python, ["python3", "-c", script, path])
        XCTAssertEqual(result.status, 0, result.errors)
        let printed = result.output.split(separator: " ").compactMap { Float($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let first = cases()[0]
        XCTAssertEqual(printed, [first.input.elements[2 * 40 * 35 * 20 + (39 * 35 + 34) * 20 + 19], first.dose.elements[0]])
    }
}

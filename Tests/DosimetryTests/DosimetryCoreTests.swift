import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import XCTest

/// Morphology, DVH points and structure geometry against SciPy and NumPy
/// (`Fixtures/make_dosimetry_reference.py`).
final class DosimetryCoreTests: XCTestCase {
    struct Reference: Decodable {
        let shape: [Int]
        let spacing_mm: [Double]
        let mask: [UInt8]
        let dose: [Float]
        let eroded: [String: [UInt8]]
        let dilated: [String: [UInt8]]
        let d: [String: Double]
        let v_percent: [String: Double]
        let mean: Double
        let max: Double
        let min: Double
        let voxels: Int
        let centroid: [Double]
        let faces: [Int]

        var volumeShape: VolumeShape { VolumeShape(rows: shape[0], columns: shape[1], slices: shape[2]) }
    }

    private func reference() throws -> Reference {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
            .appendingPathComponent("dosimetry_reference.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    /// Equal to scipy.ndimage.binary_erosion / binary_dilation with a Euclidean ball, voxel for voxel.
    func testErosionAndDilationEqualScipy() throws {
        let reference = try reference()
        let mask = try Volume(shape: reference.volumeShape, elements: reference.mask)
        for (radius, expected) in reference.eroded {
            let eroded = try Morphology.erode(mask, spacingMM: reference.spacing_mm, radiusMM: try XCTUnwrap(Double(radius)))
            XCTAssertEqual(eroded.elements, expected, "erosion by \(radius) mm")
        }
        for (radius, expected) in reference.dilated {
            let dilated = try Morphology.dilate(mask, spacingMM: reference.spacing_mm, radiusMM: try XCTUnwrap(Double(radius)))
            XCTAssertEqual(dilated.elements, expected, "dilation by \(radius) mm")
        }
        XCTAssertGreaterThan(reference.eroded["2.0"]?.filter { $0 != 0 }.count ?? 0, 0, "the fixture must not erode to nothing")
    }

    func testDVHPointsEqualNumpy() throws {
        let reference = try reference()
        let dose = StructureDose(dose: reference.dose, mask: reference.mask, scaleGy: 1, voxelVolumeCC: 0.003)
        XCTAssertEqual(dose.voxels, reference.voxels)
        XCTAssertEqual(dose.volumeCC, Double(reference.voxels) * 0.003, accuracy: 1e-12)
        for (x, expected) in reference.d {
            XCTAssertEqual(try XCTUnwrap(dose.doseGy(covering: try XCTUnwrap(Double(x)))), expected, accuracy: 1e-9, "D\(x)")
        }
        for (gy, expected) in reference.v_percent {
            XCTAssertEqual(try XCTUnwrap(dose.volumePercent(receivingAtLeast: try XCTUnwrap(Double(gy)))), expected, accuracy: 1e-9, "V\(gy)Gy")
        }
        XCTAssertEqual(try XCTUnwrap(dose.meanGy), reference.mean, accuracy: 1e-9)
        XCTAssertEqual(dose.maxGy, reference.max)
        XCTAssertEqual(dose.minGy, reference.min)
        // Stored × 70 is taken in float32, as NumPy's `dose * 70` on a float32 array.
        let scaled = StructureDose(dose: reference.dose, mask: reference.mask, scaleGy: 70, voxelVolumeCC: 1)
        XCTAssertEqual(try XCTUnwrap(scaled.maxGy), Double(Float(reference.max) * 70))
        XCTAssertNotEqual(try XCTUnwrap(scaled.maxGy), reference.max * 70, "the fixture's maximum must tell float32 from float64 scaling")
    }

    func testCentroidBoxAndFaceContactsEqualNumpy() throws {
        let reference = try reference()
        let geometry = StructureGeometry(mask: reference.mask, shape: reference.volumeShape)
        XCTAssertEqual(geometry.voxels, reference.voxels)
        let centroid = try XCTUnwrap(geometry.centroidVoxel)
        for axis in 0..<3 { XCTAssertEqual(centroid[axis], reference.centroid[axis], accuracy: 1e-9) }
        XCTAssertEqual(try XCTUnwrap(geometry.centroidMM(spacingMM: reference.spacing_mm))[2], reference.centroid[2] * 2.5, accuracy: 1e-9)
        XCTAssertEqual(geometry.faceContacts, reference.faces)
        XCTAssertEqual(geometry.largestFaceShare, Double(reference.faces.max() ?? 0) / Double(reference.voxels), accuracy: 1e-12)
        let box = try XCTUnwrap(geometry.box)
        XCTAssertEqual(box.rows.lowerBound, 0, "the fixture touches the first row")
        XCTAssertNil(StructureGeometry(mask: [UInt8](repeating: 0, count: reference.mask.count), shape: reference.volumeShape).centroidVoxel)
    }
}

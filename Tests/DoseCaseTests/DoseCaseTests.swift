import DoseCase
import Foundation
import NumpyFormat
import XCTest

/// Cases written by NumPy (Fixtures/make_case_fixtures.py) against what NumPy and the spec say.
final class DoseCaseTests: XCTestCase {
    struct ExpectedArray: Decodable, Equatable {
        let dtype: String
        let shape: [Int]
        let sha256: String
    }
    struct ExpectedCase: Decodable {
        let caseId: String
        let arrays: [String: ExpectedArray]
        let metadataCanonicalJSON: String?
        let metadataSHA256: String?
        let caseCanonicalJSON: String
        let caseHash: String
        let channelVoxelCounts: [Int]
        let impliedPlanType: String
        let storedPlanType: String?
    }

    private func fixture(_ name: String) throws -> String {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { throw XCTSkip("fixtures missing") }
        return root.appendingPathComponent(name).path
    }

    private func expectations() throws -> [String: ExpectedCase] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixture("expected.json")))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var result: [String: ExpectedCase] = [:]
        for (name, value) in object where !name.hasPrefix("_") {
            result[name] = try JSONDecoder().decode(ExpectedCase.self, from: JSONSerialization.data(withJSONObject: value))
        }
        return result
    }

    func testIdentityAndFactsMatchNumpy() throws {
        let expected = try expectations()
        XCTAssertGreaterThanOrEqual(expected.count, 8)
        for (name, want) in expected.sorted(by: { $0.key < $1.key }) {
            let doseCase = try DoseCase.open(path: fixture("cases/\(name)"))
            let survey = try doseCase.survey()
            XCTAssertEqual(doseCase.caseId, want.caseId, name)
            XCTAssertEqual(survey.identity.arrays.mapValues { ExpectedArray(dtype: $0.dtype, shape: $0.shape, sha256: $0.sha256) },
                           want.arrays, name)
            XCTAssertEqual(doseCase.metadata.map(CanonicalJSON.encode), want.metadataCanonicalJSON, name)
            XCTAssertEqual(survey.identity.metadataSHA256, want.metadataSHA256, name)
            XCTAssertEqual(survey.identity.canonicalJSON, want.caseCanonicalJSON, name)
            XCTAssertEqual(survey.identity.caseHash, want.caseHash, name)
            XCTAssertEqual(survey.channelVoxelCounts, want.channelVoxelCounts, name)
            XCTAssertEqual(survey.impliedPlanType(channels: doseCase.channels)?.rawValue, want.impliedPlanType, name)
            XCTAssertEqual(doseCase.storedPlanType, want.storedPlanType, name)
        }
    }

    /// Compression, byte order, memory order, member order and the numpy version that pickled the
    /// metadata are storage details: none may change the case hash. One changed voxel or one
    /// changed metadata value must.
    func testCaseHashIgnoresStorageButNotContent() throws {
        let expected = try expectations()
        let base = try XCTUnwrap(expected["base.npz"]).caseHash
        var sameFiles = ["same_stored.npz", "same_bigendian_fortran.npz", "same_reordered.npz"]
        if expected["same_numpy1_protocol3.npz"] != nil { sameFiles.append("same_numpy1_protocol3.npz") }
        for name in sameFiles {
            XCTAssertEqual(try DoseCase.open(path: fixture("cases/\(name)")).survey().identity.caseHash, base, name)
        }
        for name in ["changed_one_voxel.npz", "changed_metadata.npz"] {
            XCTAssertNotEqual(try DoseCase.open(path: fixture("cases/\(name)")).survey().identity.caseHash, base, name)
        }
    }

    func testMetadataFromNumpy1AndNumpy2DecodeToTheSameTree() throws {
        let numpy1 = try fixture("cases/same_numpy1_protocol3.npz")
        guard FileManager.default.fileExists(atPath: numpy1) else { throw XCTSkip("no numpy 1.x fixture was generated") }
        XCTAssertEqual(try DoseCase.open(path: numpy1).metadata, try DoseCase.open(path: fixture("cases/base.npz")).metadata)
    }

    func testDerivedFactsOfAVersion24Case() throws {
        let doseCase = try DoseCase.open(path: fixture("cases/base.npz"))
        XCTAssertEqual(doseCase.formatVersion, FormatVersionEvidence(version: .v2_4, scriptVersion: "2.4.0", inferred: false))
        XCTAssertEqual(doseCase.caseIdSource, .metadata)
        XCTAssertEqual(doseCase.spacing, VoxelSpacing(yMM: 1.1, xMM: 1.1, zMM: 2.5, source: .voxelSpacingMM))
        XCTAssertFalse(doseCase.spacing.isGuessed)
        XCTAssertEqual(doseCase.channels.count, 9)
        XCTAssertEqual(doseCase.channels.source, .metadata)
        XCTAssertEqual(doseCase.channels.index(of: "PTV50.4"), 8)
        XCTAssertTrue(doseCase.prescription.isNormalisedTo70Gy)
        XCTAssertEqual(doseCase.prescription.fractions, 28)
        XCTAssertEqual(doseCase.shape, VolumeShape(rows: 6, columns: 7, slices: 5))
    }

    func testVersion23MislabelledCaseWithoutAnId() throws {
        let doseCase = try DoseCase.open(path: fixture("cases/v23_mislabelled_no_id.npz"))
        XCTAssertEqual(doseCase.formatVersion.version, .v2_3)
        XCTAssertEqual(doseCase.caseId, "v23_mislabelled_no_id")
        XCTAssertEqual(doseCase.caseIdSource, .fileName)
        XCTAssertEqual(doseCase.channels.count, 8)
        XCTAssertNil(doseCase.channels.index(of: "PTV50.4"))
        XCTAssertEqual(doseCase.storedPlanType, "single_rx")
        XCTAssertEqual(try doseCase.survey().impliedPlanType(channels: doseCase.channels), .sib2Level)
        let masks = try doseCase.masks()
        XCTAssertEqual(masks.channelCount, 8)
        XCTAssertEqual(try masks.channel(named: "PTV56").elements.filter { $0 != 0 }.count, try doseCase.survey().channelVoxelCounts[1])
    }

    func testLegacyVersion20FallsBackAndSaysSo() throws {
        let doseCase = try DoseCase.open(path: fixture("cases/legacy_v20.npz"))
        XCTAssertEqual(doseCase.formatVersion, FormatVersionEvidence(version: .v2_0, scriptVersion: nil, inferred: true))
        XCTAssertEqual(doseCase.spacing, .fallback)
        XCTAssertTrue(doseCase.spacing.isGuessed)
        XCTAssertEqual(doseCase.channels.source, .standardOrder)
        XCTAssertEqual(doseCase.channels.channels.map(\.name), Array(StructureChannel.standardOrder.prefix(8)))
        XCTAssertFalse(doseCase.prescription.isNormalisedTo70Gy)
        XCTAssertEqual(doseCase.prescription.normalizationDoseGy, 72)
        XCTAssertThrowsError(try doseCase.signedDistances()) { error in
            XCTAssertEqual((error as? DoseCaseError)?.code, "dose_case.missing_array", "\(error)")
            guard case let .missingArray(_, key, _)? = error as? DoseCaseError else { return }
            XCTAssertEqual(key, "masks_sdf")
        }
    }

    /// The femur masks of the fixture sit at column 6 (Femur_L) and 0 (Femur_R): the named
    /// geometry API must call the larger column patient left.
    func testGeometryConventionAndTypedVolumes() throws {
        let doseCase = try DoseCase.open(path: fixture("cases/base.npz"))
        let masks = try doseCase.masks()
        func centroidColumn(_ name: String) throws -> Double {
            let mask = try masks.channel(named: name)
            var sum = 0.0, count = 0.0
            for row in 0..<mask.shape.rows { for column in 0..<mask.shape.columns { for slice in 0..<mask.shape.slices
                where mask[row, column, slice] != 0 { sum += Double(column); count += 1 } } }
            return sum / count
        }
        let left = try centroidColumn("Femur_L"), right = try centroidColumn("Femur_R")
        XCTAssertTrue(PatientAxes.isPatientLeft(column: left, of: right))
        XCTAssertEqual(PatientAxes.side(ofColumn: left, relativeTo: 3), .left)
        XCTAssertEqual(PatientAxes.side(ofColumn: right, relativeTo: 3), .right)
        let swapped = try DoseCase.open(path: fixture("cases/same_bigendian_fortran.npz"))
        XCTAssertEqual(try swapped.volume("dose").elements, try doseCase.volume("dose").elements)
        XCTAssertEqual(try swapped.masks().elements, masks.elements)
        XCTAssertEqual(try doseCase.constraints().count, 13)
        XCTAssertEqual(try doseCase.volume("dose")[3, 3, 2], 1)
    }

    func testMaliciousMetadataIsRefusedAndNeverRun() throws {
        let marker = "/tmp/dosecurate-pwned-by-metadata"
        try? FileManager.default.removeItem(atPath: marker)
        XCTAssertThrowsError(try DoseCase.open(path: fixture("cases/malicious_metadata.npz"))) { error in
            guard case let .unreadableMetadata(file, _) = error as? DoseCaseError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? DoseCaseError)?.code, "dose_case.unreadable_metadata")
            XCTAssertEqual((error as? DoseCaseError)?.cause?.code, "pickle.disallowed_global", "the unpickler's refusal is the cause")
            XCTAssertTrue(file.hasSuffix("malicious_metadata.npz"), file)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
    }
}

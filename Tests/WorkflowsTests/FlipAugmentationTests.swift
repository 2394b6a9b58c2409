import Audit
import DoseCase
import Engine
import Foundation
import NumpyFormat
import SharedCohort
import XCTest

/// The training flip is physically right: a clean case mirrored left-right the way `PatchSampler`
/// mirrors a patch (along X, Femur_L and Femur_R swapped) still passes the audit's femur
/// laterality check, while the same mirror without the swap — the earlier study's bug class — fails it.
final class FlipAugmentationTests: XCTestCase {
    private var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-flip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The case mirrored as one whole-volume patch, written as a case file.
    private func mirrored(_ source: DoseCase, swappingFemurs: Bool, to path: String) throws {
        let ct = try source.volume("ct"), dose = try source.volume("dose")
        let masks = try source.masks(), sdf = try source.signedDistances()
        let extent = ct.shape.dimensions, channels = masks.catalog.channels.count
        let left = try XCTUnwrap(masks.catalog.index(of: StructureChannel.femurLeft)), right = try XCTUnwrap(masks.catalog.index(of: StructureChannel.femurRight))
        // Channel 0 is the CT, so structure s is tensor channel s + 1.
        let sampler = try PatchSampler(patch: extent, maxShift: 0,
                                       femurChannels: swappingFemurs ? .init(left: left + 1, right: right + 1) : nil)
        let draw = PatchSampler.Draw(start: [0, 0, 0], flipped: true, highDoseCentre: false)
        let doseTensor = try Tensor(shape: [1, 1] + extent, elements: dose.elements)
        let maskInput = try Tensor(shape: [1, channels + 1] + extent, elements: ct.elements + masks.elements.map(Float.init))
        let sdfInput = try Tensor(shape: [1, channels + 1] + extent, elements: ct.elements + sdf.elements)
        let flippedMasks = try sampler.oriented(input: maskInput, dose: doseTensor, by: draw)
        let flippedSDF = try sampler.oriented(input: sdfInput, dose: doseTensor, by: draw)
        let voxels = ct.shape.voxelCount
        let metadata = try XCTUnwrap(source.metadata)
        try NPZWriter.write(members: [
            ("ct", .array(try NPYArray(shape: extent, elements: Array(flippedMasks.input.elements.prefix(voxels))))),
            ("masks", .array(try NPYArray(shape: [channels] + extent, elements: flippedMasks.input.elements.dropFirst(voxels).map { UInt8($0) }))),
            ("dose", .array(try NPYArray(shape: extent, elements: flippedMasks.dose.elements))),
            ("constraints", .array(try NPYArray(shape: [13], elements: try source.constraints()))),
            ("metadata", .pickledObject(NPYPickledObject(pickle: try PickleWriter.pickleObjectArray(wrapping: metadata)))),
            ("masks_sdf", .array(try NPYArray(shape: [channels] + extent, elements: Array(flippedSDF.input.elements.dropFirst(voxels))))),
        ], to: path)
    }

    func testTheTrainingFlipKeepsTheFemursOnTheirSides() async throws {
        _ = try await CohortFixture.truth()
        let clean = try XCTUnwrap(CohortFixture.cleanEntries.first)
        let source = try DoseCase.open(path: CohortFixture.path(clean.fileName))
        let swapped = folder.appendingPathComponent("flipped.npz").path, unswapped = folder.appendingPathComponent("flipped-labels-kept.npz").path
        try mirrored(source, swappingFemurs: true, to: swapped)
        try mirrored(source, swappingFemurs: false, to: unswapped)

        let report = try await Auditor.run(paths: [swapped, unswapped, CohortFixture.path(clean.fileName)], options: AuditOptions(cacheDirectory: nil))
        func laterality(_ path: String) throws -> [AuditFinding] {
            try XCTUnwrap(report.cases.first { $0.file == path }).findings.filter { $0.check == FemurLateralityCheck.id }
        }
        XCTAssertEqual(try laterality(CohortFixture.path(clean.fileName)), [], "the clean case itself")
        XCTAssertEqual(try laterality(swapped), [], "mirrored with the femur channels swapped: Femur_L is still the patient's left")
        let wrong = try laterality(unswapped)
        XCTAssertEqual(wrong.map(\.severity), [.error], "mirrored without the swap: the labels now sit on the wrong sides")
    }
}

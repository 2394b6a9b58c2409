@testable import Audit
import DoseCase
import NumpyFormat
import XCTest

/// The anatomy and geometry checks at their threshold edges, on cases built voxel by voxel
/// (`SyntheticCase`), so each edge is a known number of millimetres, voxels or per cent.
final class AnatomyChecksTests: XCTestCase {
    func limits(_ check: some CaseCheck, _ overrides: [String: Double] = [:]) -> CheckThresholds {
        CheckThresholds(check.definition.thresholds.merging(overrides) { $1 })
    }

    func findings(_ check: some CaseCheck, _ c: SyntheticCase, _ overrides: [String: Double] = [:]) -> [AuditFinding] {
        check.evaluate(c.facts, limits(check, overrides))
    }

    func number(_ finding: AuditFinding?, _ key: String) -> Double? {
        switch finding?.measured[key] {
        case let .number(value)?: value
        case let .integer(value)?: Double(value)
        default: nil
        }
    }

    func testThePlausiblePelvisPassesEveryNewCheck() {
        let pelvis = SyntheticCase.pelvis()
        for check in [AnatomyOrientationCheck(), GeometrySpacingCheck(), TargetsGeometryCheck(), DoseConsistencyCheck()] as [any CaseCheck] {
            XCTAssertEqual(check.evaluate(pelvis.facts, CheckThresholds(check.definition.thresholds)), [], check.definition.id)
        }
    }

    // MARK: anatomy.orientation

    func testRowsMirroredAsAWholeIsAnErrorWithThreeAgreeingCues() throws {
        var c = SyntheticCase.pelvis()
        c.mirror(axis: PatientAxes.row)
        let found = findings(AnatomyOrientationCheck(), c)
        XCTAssertEqual(found.map(\.severity), [.error], "\(found)")
        XCTAssertEqual(found.first?.measured["rowsVotes"], .list([.integer(0), .integer(3)]))
        XCTAssertEqual(found.first?.measured["slicesVotes"], .list([.integer(3), .integer(0)]))
        XCTAssertEqual(try XCTUnwrap(number(found.first, "rectumPosteriorToProstateMM")), -22, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(number(found.first, "midlineBonePosteriorToProstateMM")), -33, accuracy: 1e-9)
        let message = try XCTUnwrap(found.first?.message)
        XCTAssertTrue(message.hasPrefix("rows (anterior→posterior) look mirrored: 3 of 3"), message)
        XCTAssertTrue(message.contains("the rectum lies 22.0 mm anterior of the prostate (expected posterior)"), message)
    }

    func testSlicesMirroredIsAnErrorAndNamesTheSlicesAxis() throws {
        var c = SyntheticCase.pelvis()
        c.mirror(axis: PatientAxes.slice)
        let found = findings(AnatomyOrientationCheck(), c)
        XCTAssertEqual(found.map(\.severity), [.error])
        XCTAssertEqual(found.first?.measured["slicesVotes"], .list([.integer(0), .integer(3)]))
        XCTAssertTrue(try XCTUnwrap(found.first?.message).hasPrefix("slices (inferior→superior) look mirrored"))
    }

    func testMarginEdgeAVoteNeedsMoreThanMarginMillimetres() {
        // The rectum 22 mm posterior of the prostate: flipped by hand to −22 mm, a margin of 22 mm
        // makes it abstain, 21.9 mm lets it vote.
        var c = SyntheticCase.pelvis()
        c.clear(StructureChannel.bladder)
        c.ct = [Float](repeating: SyntheticCase.air, count: c.grid.voxelCount)
        c.moveStructure(StructureChannel.rectum, rows: -22)
        let check = AnatomyOrientationCheck()
        XCTAssertEqual(findings(check, c, ["marginMM": 22]), [], "exactly at the margin: no vote")
        let voted = findings(check, c, ["marginMM": 21.9])
        XCTAssertEqual(voted.map(\.severity), [.warning], "one cue alone is a warning")
        XCTAssertTrue(voted.first?.message.contains("one cue says so") ?? false, "\(voted)")
        XCTAssertEqual(findings(check, c, ["marginMM": 21.9, "minimumAgreeingCues": 1]).map(\.severity), [.error])
    }

    func testConflictingCuesAreAWarningNotAnError() {
        // The rectum moved 32 mm anterior: 10 mm in front of the prostate but still 10 mm behind
        // the bladder, with the sacrum posterior: one cue flips, two do not.
        var c = SyntheticCase.pelvis()
        c.moveStructure(StructureChannel.rectum, rows: -16)
        let found = findings(AnatomyOrientationCheck(), c)
        XCTAssertEqual(found.map(\.severity), [.warning], "\(found)")
        XCTAssertEqual(found.first?.measured["rowsVotes"], .list([.integer(2), .integer(1)]))
        XCTAssertTrue(found.first?.message.contains("the anatomical cues disagree") ?? false)
    }

    func testTheBoneCueAbstainsOnACTWithoutAir() {
        var c = SyntheticCase.pelvis()
        c.ct = c.ct.map { max($0, SyntheticCase.tissue) }
        XCTAssertNil(AnatomyOrientationCheck.cues(c.facts, midlineHalfWidthMM: 40).first { $0.key == "midlineBonePosteriorToProstateMM" })
        XCTAssertEqual(AnatomyOrientationCheck.cues(SyntheticCase.pelvis().facts, midlineHalfWidthMM: 40).count, 6)
    }

    // MARK: geometry.spacing

    func testFemurSeparationEdgeAndOneScaleIsAWarningTwoAnError() throws {
        // Femur centroids 86 columns apart: 172 mm at 2 mm.
        let check = GeometrySpacingCheck()
        let c = SyntheticCase.pelvis()
        XCTAssertEqual(findings(check, c, ["femurSeparationHighMM": 172]), [], "at the edge: accepted")
        let one = findings(check, c, ["femurSeparationHighMM": 171.9])
        XCTAssertEqual(one.map(\.severity), [.warning])
        XCTAssertEqual(try XCTUnwrap(number(one.first, "femurSeparationMM")), 172, accuracy: 1e-9)
        XCTAssertTrue(one.first?.message.contains("femoral heads' centroid distance 172.0 mm (accepted 120–172 mm)") ?? false, "\(one)")
        XCTAssertTrue(one.first?.message.hasSuffix("the in-plane spacing looks too large") ?? false, "\(one)")
        let two = findings(check, c, ["femurSeparationHighMM": 171.9, "femurDepthHighMM": 35.9])
        XCTAssertEqual(two.map(\.severity), [.error])
        XCTAssertEqual(try XCTUnwrap(number(two.first, "femurDepthMM")), 36, accuracy: 1e-9)
    }

    func testDoubledInPlaneSpacingIsAnErrorNamingTheInPlaneSpacing() throws {
        // 2.5× the in-plane spacing: femur distance 430 mm and depth 90 mm out of range, the
        // prostate (90 cc) and the cut body (at least 500 mm) within.
        var c = SyntheticCase.pelvis()
        c.spacingMM = [5, 5, 2.5]
        let found = findings(GeometrySpacingCheck(), c, ["inPlaneSpacingHighMM": 6])
        XCTAssertEqual(found.map(\.severity), [.error])
        let message = try XCTUnwrap(found.first?.message)
        XCTAssertTrue(message.contains("femoral heads' centroid distance 430.0 mm (accepted 120–280 mm), femurs' anterior–posterior extent 90.0 mm"), message)
        XCTAssertTrue(message.hasSuffix("the in-plane spacing looks too large"), message)
        XCTAssertFalse(message.contains("body width"), "at least 500 mm is within 550: not listed")
        c.spacingMM = [1, 1, 2.5]
        let small = findings(GeometrySpacingCheck(), c)
        XCTAssertTrue(small.first?.message.hasSuffix("the in-plane spacing looks too small") ?? false, "\(small)")
    }

    func testProstateVolumeEdgeUsesTheVoxelVolume() {
        // 1440 voxels × 0.01 cc = 14.4 cc.
        let c = SyntheticCase.pelvis()
        XCTAssertEqual(findings(GeometrySpacingCheck(), c, ["prostateVolumeLowCC": 14.4]), [])
        XCTAssertEqual(findings(GeometrySpacingCheck(), c, ["prostateVolumeLowCC": 14.41]).map(\.severity), [.warning])
    }

    func testMetadataShapesAndDoseGridDisagreementsAreErrors() throws {
        var c = SyntheticCase.pelvis()
        c.extraMetadata = [("volume_shape", .tuple([40, 100, 31].map { .int(Int64($0)) }))]
        XCTAssertTrue(findings(GeometrySpacingCheck(), c).first?.message.contains("metadata.volume_shape [40, 100, 31] is not the arrays' shape [40, 100, 32]") ?? false)
        var box = SyntheticCase.pelvis()
        let cropBox: [(String, Int64)] = [("y_start", 10), ("y_end", 50), ("x_start", 0), ("x_end", 99), ("z_start", 3), ("z_end", 35)]
        box.extraMetadata = [("crop_box", .dict(cropBox.map { MetadataEntry(key: .string($0.0), value: .int($0.1)) }))]
        let crop = findings(GeometrySpacingCheck(), box)
        XCTAssertEqual(crop.map(\.severity), [.error])
        XCTAssertTrue(crop.first?.message.contains("crop_box x_end − x_start = 99 but the arrays hold 100 along x") ?? false, "\(crop)")
        var grid = SyntheticCase.pelvis()
        grid.extraMetadata = [("dose_grid_spacing_mm", .tuple([0.99, 2.5, 2.5].map { .float($0) }))]
        let dose = findings(GeometrySpacingCheck(), grid)
        XCTAssertEqual(dose.map(\.severity), [.error])
        XCTAssertTrue(dose.first?.message.contains("finer than half the row spacing") ?? false, "\(dose)")
        grid.extraMetadata = [("dose_grid_spacing_mm", .tuple([1.0, 5, 5].map { .float($0) }))]
        XCTAssertEqual(findings(GeometrySpacingCheck(), grid), [], "half the voxel spacing, or coarser: normal")
    }

    // MARK: targets.geometry

    func testIntermediateTargetInsidePTV70AtTheShareEdge() throws {
        // PTV56 = 10 voxels, 9 inside PTV70: share 0.9.
        var c = SyntheticCase.pelvis()
        c.paint(StructureChannel.ptv56, rows: 20..<21, columns: 48..<57, slices: 15..<16)
        c.paint(StructureChannel.ptv56, rows: 20..<21, columns: 57..<58, slices: 15..<16)
        let check = TargetsGeometryCheck()
        XCTAssertEqual(findings(check, c, ["maximumIntermediateInsidePTV70Share": 0.91]).filter { $0.message.contains("inside PTV70") }, [])
        let inside = findings(check, c, ["maximumIntermediateInsidePTV70Share": 0.9])
        XCTAssertEqual(inside.map(\.severity), [.error])
        XCTAssertEqual(try XCTUnwrap(number(inside.first, "ptv56InsidePTV70Share")), 0.9, accuracy: 1e-9)
        XCTAssertTrue(inside.first?.message.contains("90.0 % of PTV56 lies inside PTV70") ?? false, "\(inside)")
        XCTAssertTrue(inside.first?.message.contains("PTV56's median dose (70.0 Gy) is not below PTV70's (70.0 Gy)") ?? false, "\(inside)")
    }

    func testProstateOutsidePTV70AirInPTV70AndFemurOverlapAreErrors() throws {
        var c = SyntheticCase.pelvis()
        c.clear(StructureChannel.ptv70)
        c.paint(StructureChannel.ptv70, rows: 13..<27, columns: 43..<57, slices: 10..<19)  // two of the prostate's ten slices left out
        let prostate = findings(TargetsGeometryCheck(), c)
        XCTAssertEqual(try XCTUnwrap(number(prostate.first, "prostateInsidePTV70Share")), 0.8, accuracy: 1e-9)
        var air = SyntheticCase.pelvis()
        air.setCT(SyntheticCase.air, rows: 13..<27, columns: 43..<57, slices: 10..<11)  // 1 of 12 PTV70 slices: 8.3 %
        let inAir = findings(TargetsGeometryCheck(), air)
        XCTAssertEqual(try XCTUnwrap(number(inAir.first, "ptv70AirShare")), 1.0 / 12, accuracy: 1e-4)
        XCTAssertEqual(findings(TargetsGeometryCheck(), air, ["maximumPTV70AirShare": 0.09]), [])
        var femur = SyntheticCase.pelvis()
        femur.paint(StructureChannel.femurLeft, rows: 13..<27, columns: 56..<57, slices: 10..<22)  // PTV70's last column: 1/14
        let overlap = findings(TargetsGeometryCheck(), femur)
        XCTAssertEqual(try XCTUnwrap(number(overlap.first, "largestFemurShare")), 1.0 / 14, accuracy: 1e-4)
        XCTAssertTrue(overlap.first?.message.contains("of PTV70 lies inside Femur_L") ?? false)
    }

    // MARK: dose.consistency

    func testHighDoseCentroidOffsetEdge() throws {
        // The dose moved 4 rows = 8.0 mm posterior: at the 8 mm limit it passes, past it fails.
        var c = SyntheticCase.pelvis()
        c.dose = [Float](repeating: 0, count: c.grid.voxelCount)
        c.setDose(1.0, rows: 17..<31, columns: 43..<57, slices: 10..<22)
        let check = DoseConsistencyCheck()
        XCTAssertEqual(findings(check, c, ["maximumCentroidOffsetMM": 8]), [])
        let moved = findings(check, c, ["maximumCentroidOffsetMM": 7.9])
        XCTAssertEqual(moved.map(\.severity), [.error])
        XCTAssertEqual(try XCTUnwrap(number(moved.first, "centroidOffsetMM")), 8, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(number(moved.first, "ptv70Coverage")), 10.0 / 14, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(number(moved.first, "recentredDice")), 1, accuracy: 1e-9)
        XCTAssertTrue(moved.first?.message.contains("is centred 8.0 mm posterior of PTV70's centroid") ?? false, "\(moved)")
        XCTAssertTrue(moved.first?.message.contains("a dose shifted against this anatomy") ?? false)
    }

    func testADoseOfAnotherShapeAndNoHighDoseAreErrors() throws {
        var c = SyntheticCase.pelvis()
        c.dose = [Float](repeating: 0, count: c.grid.voxelCount)
        c.setDose(1.0, rows: 19..<21, columns: 30..<70, slices: 14..<18)  // a slab across PTV70, centred on it
        let slab = findings(DoseConsistencyCheck(), c)
        XCTAssertEqual(slab.map(\.severity), [.error], "centred on PTV70, but covers 5 % of it")
        XCTAssertTrue(slab.first?.message.contains("does not take PTV70's shape") ?? false, "\(slab)")
        c.dose = c.dose.map { $0 * 0.949 }
        let none = findings(DoseConsistencyCheck(), c)
        XCTAssertTrue(none.first?.message.hasPrefix("no voxel reaches 66.5 Gy") ?? false, "\(none)")
    }
}

extension SyntheticCase {
    /// Every array reversed along one axis, as a whole-case flip does it.
    mutating func mirror(axis: Int) {
        func mirrored<T>(_ values: [T]) -> [T] {
            var result = values
            for row in 0..<grid.rows {
                for column in 0..<grid.columns {
                    for slice in 0..<grid.slices {
                        let source = grid.offset(row: axis == 0 ? grid.rows - 1 - row : row, column: axis == 1 ? grid.columns - 1 - column : column,
                                                 slice: axis == 2 ? grid.slices - 1 - slice : slice)
                        result[grid.offset(row: row, column: column, slice: slice)] = values[source]
                    }
                }
            }
            return result
        }
        ct = mirrored(ct)
        dose = mirrored(dose)
        masks = masks.map(mirrored)
    }

    /// One structure's mask moved `rows` rows (negative: anterior).
    mutating func moveStructure(_ structure: String, rows: Int) {
        guard let channel = StructureChannel.standardOrder.firstIndex(of: structure) else { return }
        var moved = [UInt8](repeating: 0, count: grid.voxelCount)
        for row in 0..<grid.rows where (0..<grid.rows).contains(row + rows) {
            for column in 0..<grid.columns {
                for slice in 0..<grid.slices {
                    moved[grid.offset(row: row + rows, column: column, slice: slice)] = masks[channel][grid.offset(row: row, column: column, slice: slice)]
                }
            }
        }
        masks[channel] = moved
    }
}

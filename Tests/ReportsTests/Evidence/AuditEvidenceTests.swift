import Audit
import DoseCase
import Foundation
import Phantoms
import Reports
import SharedCohort
import XCTest

/// Each finding's evidence, on the phantom case where its defect is planted, against the check's
/// own numbers: what the picture shows is what the finding says.
final class AuditEvidenceTests: XCTestCase {
    /// The femur centroids are drawn where the check measured them: recovered from the drawn
    /// rings through the panel's geometry, they give the finding's L − R and the message's columns;
    /// a swapped pair puts the Femur_L ring on the image's left (the patient's right).
    func testFemurSwapMarksTheCentroidsTheCheckCompared() async throws {
        let evidence = try await DefectEvidence.of(.femurSwap)
        let figure = try evidence.figure(FemurLateralityCheck.id)
        let finding = figure.finding
        XCTAssertEqual(finding.severity, .error)
        XCTAssertEqual(figure.figure.name, "evidence-\(evidence.audit.caseId ?? "")-labels-femur-laterality")
        let grid = try XCTUnwrap(evidence.facts.grid)
        let panels = try EvidencePanel.all(in: figure.figure.svg)
        XCTAssertEqual(panels.map(\.plane), ["coronal", "axial"])
        let xMM = evidence.facts.spacing.xMM
        let messageColumns = finding.message.matches(of: /column (\d+\.\d)/).map { Double($0.1)! }
        XCTAssertEqual(messageColumns.count, 2, finding.message)
        for panel in panels {
            let vertical = panel.plane == "axial" ? grid.rows : grid.slices
            let left = try panel.marker("Femur_L", horizontalCount: grid.columns, verticalCount: vertical, verticalGrowsUp: panel.plane == "coronal")
            let right = try panel.marker("Femur_R", horizontalCount: grid.columns, verticalCount: vertical, verticalGrowsUp: panel.plane == "coronal")
            let facts = try XCTUnwrap(evidence.facts.structures["Femur_L"]?.geometry.centroidVoxel)
            XCTAssertEqual(left.element.number("data-column"), facts[1])
            XCTAssertEqual(left.horizontal, facts[1], accuracy: 0.02)
            XCTAssertEqual(left.vertical, panel.plane == "axial" ? facts[0] : facts[2], accuracy: 0.02)
            XCTAssertEqual((left.horizontal - right.horizontal) * xMM, try XCTUnwrap(finding.value("leftMinusRightMM")), accuracy: 0.05)
            XCTAssertEqual(String(format: "%.1f", left.horizontal), String(format: "%.1f", messageColumns[0]))
            XCTAssertEqual(String(format: "%.1f", right.horizontal), String(format: "%.1f", messageColumns[1]))
            XCTAssertLessThan(left.horizontal, right.horizontal, "swapped: Femur_L drawn on the image's left, the patient's right")
        }
        let letters = figure.figure.svg.all.filter { $0.attribute("class") == "orientation" }.map(\.textContent)
        XCTAssertEqual(Array(letters.prefix(8)), ["R", "L", "S", "I", "R", "L", "A", "P"])
        let png = try DecodedPNG.decode(try XCTUnwrap(figure.figure.png))
        XCTAssertGreaterThan(png.width, 0)
        XCTAssertGreaterThan(try panels[0].count((0x56, 0xB4, 0xE9)), 0, "Femur_L outline in sky blue")
    }

    /// The DVH marks the D95 of the whole PTV and of its 1 mm and 2 mm erosions at the finding's
    /// measured values; the slice panels pass through the PTV's centroid and show all three contours.
    func testD95ArtifactShowsTheErodedD95sTheCheckMeasured() async throws {
        let evidence = try await DefectEvidence.of(.d95ArtifactBlatant)
        let figure = try evidence.figure(PTVD95Check.id, structure: "PTV70")
        let finding = figure.finding
        // One marker per distinct D95 (equal ones share a marker and its label), each at 95 %.
        let markers = figure.figure.svg.marks("marker").filter { ($0.attribute("data-label") ?? "").hasPrefix("D95") }
        let svg = figure.figure.svg
        for (key, attribute, series) in [("d95Gy", "data-d95-gy", "PTV70"), ("d95Eroded1mmGy", "data-d95-eroded-1mm-gy", "PTV70 − 1 mm"),
                                         ("d95Eroded2mmGy", "data-d95-eroded-2mm-gy", "PTV70 − 2 mm")] {
            let measured = try XCTUnwrap(finding.value(key))
            XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number(attribute))), measured, key)
            let marker = try XCTUnwrap(markers.first { auditRounded($0.number("data-x") ?? .nan) == measured }, "no D95 marker at \(measured)")
            XCTAssertTrue((marker.attribute("data-label") ?? "").contains(series), "\(series) in \(marker.attribute("data-label") ?? "")")
            XCTAssertEqual(marker.number("data-y"), 95)
        }
        XCTAssertGreaterThan(try XCTUnwrap(finding.value("d95Eroded2mmGy")), try XCTUnwrap(finding.value("d95Gy")) + 20,
                             "the artifact: D95 recovers on erosion")
        let threshold = try XCTUnwrap(figure.figure.svg.marks("vertical").first)
        XCTAssertEqual(threshold.number("data-x"), 66.5)
        let centroid = try XCTUnwrap(evidence.facts.structures["PTV70"]?.geometry.centroidVoxel)
        let panels = try EvidencePanel.all(in: figure.figure.svg)
        XCTAssertEqual(panels.map(\.plane), ["axial", "coronal", "sagittal"])
        XCTAssertEqual(panels[0].fixedIndex, Int(centroid[2].rounded()))
        // The erosions are the check's (`ErodedTarget`): each line is drawn unless its erosion kept
        // every voxel, when it lies under the PTV's own red contour.
        let ptv = try XCTUnwrap(evidence.facts.structures["PTV70"])
        let erosions = ErodedTarget.erosions(of: ptv, in: evidence.facts, radiiMM: PTVD95Check.erosionRadiiMM)
        XCTAssertGreaterThan(try panels[0].count((0xFF, 0x2D, 0x2D)), 0, "PTV70 contour drawn")
        for (erosion, colour) in zip(erosions, [(0xFF, 0xFF, 0xFF), (0x00, 0xE5, 0xFF)]) {
            let erosion = try XCTUnwrap(erosion)
            XCTAssertEqual(auditRounded(try XCTUnwrap(erosion.dose.doseGy(covering: 95))),
                           finding.value("d95Eroded\(Int(erosion.radiusMM))mmGy"))
            let drawn = try panels[0].count(colour)
            if erosion.dose.voxels < ptv.geometry.voxels { XCTAssertGreaterThan(drawn, 0, "\(erosion.radiusMM) mm contour drawn") }
        }
    }

    /// The high-dose region's centroid lies where the planted shift put it (20 mm left, 10 mm
    /// anterior of the PTVs), drawn to the image's right and up; the means are the finding's.
    func testMisregistrationShowsTheOffsetAndTheCheckMeans() async throws {
        let evidence = try await DefectEvidence.of(.doseMisregistration)
        let figure = try evidence.figure(DoseRegistrationCheck.id)
        let svg = figure.figure.svg
        XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number("data-mean-inside-ptvs"))), figure.finding.value("meanInsidePTVs"))
        XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number("data-mean-outside-ptvs"))), figure.finding.value("meanOutsidePTVs"))
        XCTAssertEqual(try XCTUnwrap(svg.number("data-offset-column-mm")), 20, accuracy: 3)
        XCTAssertEqual(try XCTUnwrap(svg.number("data-offset-row-mm")), -10, accuracy: 3)
        let grid = try XCTUnwrap(evidence.facts.grid)
        let axial = try XCTUnwrap(try EvidencePanel.all(in: svg).first { $0.plane == "axial" })
        let targets = try axial.marker("PTVs", horizontalCount: grid.columns, verticalCount: grid.rows, verticalGrowsUp: false)
        let high = try axial.marker("≥ 66.5 Gy", horizontalCount: grid.columns, verticalCount: grid.rows, verticalGrowsUp: false)
        XCTAssertEqual((high.horizontal - targets.horizontal) * evidence.facts.spacing.xMM, try XCTUnwrap(svg.number("data-offset-column-mm")), accuracy: 0.1)
        XCTAssertLessThan(high.vertical, targets.vertical, "anterior is up")
        XCTAssertTrue(figure.figure.caption.contains("left"), figure.figure.caption)
    }

    /// The first panel is the volume's face the check found the structure cut at.
    func testTruncationShowsTheFaceWhereTheStructureIsCut() async throws {
        let evidence = try await DefectEvidence.of(.truncatedStructure)
        let figure = try evidence.figure(StructuresTruncationCheck.id)
        let grid = try XCTUnwrap(evidence.facts.grid)
        XCTAssertEqual(figure.finding.measured["face"], .text("last slice (superior)"))
        let panels = try EvidencePanel.all(in: figure.figure.svg)
        XCTAssertEqual(panels.first?.plane, "axial")
        XCTAssertEqual(panels.first?.fixedIndex, grid.slices - 1)
        XCTAssertEqual(figure.figure.svg.number("data-voxels-on-face"), figure.finding.value("voxelsOnFace"))
        XCTAssertGreaterThan(try panels[0].count((0xFF, 0x2D, 0x2D)), 0, "the cut structure is outlined on the face")
    }

    /// The region medians are the finding's; every PTV the masks hold is a bar; the three levels are marked.
    func testPlanTypeMislabelShowsThreeTargetsAndTheirDoseLevels() async throws {
        let evidence = try await DefectEvidence.of(.planTypeMislabel)
        let figure = try evidence.figure(PlanTypeCheck.id)
        let svg = figure.figure.svg
        XCTAssertNil(figure.figure.png)
        for key in ["ptv56RegionMedian", "ptv50_4RegionMedian"] {
            XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number("data-\(key.lowercased())"))), try XCTUnwrap(figure.finding.value(key)), key)
        }
        let bars = svg.marks("bar")
        XCTAssertEqual(bars.map { $0.attribute("data-category") }, ["PTV70", "PTV56", "PTV50.4"])
        for (bar, name) in zip(bars, ["PTV70", "PTV56", "PTV50.4"]) {
            let voxels = try XCTUnwrap(evidence.facts.structures[name]?.geometry.voxels)
            XCTAssertEqual(try XCTUnwrap(bar.number("data-value")), Double(voxels) * evidence.facts.spacing.voxelVolumeCC, accuracy: 1e-9)
        }
        XCTAssertEqual(svg.marks("vertical").compactMap { $0.number("data-x") }, [70, 56, 50.4])
    }

    /// The air level and median lines are the finding's; the expected range is shaded.
    func testRawPixelCTHistogramMarksTheAirLevelTheCheckRead() async throws {
        let evidence = try await DefectEvidence.of(.rawPixelCT)
        let figure = try evidence.figure(CTRangeCheck.id)
        let svg = figure.figure.svg
        XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number("data-air-level"))), figure.finding.value("airLevel"))
        XCTAssertEqual(auditRounded(try XCTUnwrap(svg.number("data-median"))), figure.finding.value("median"))
        let lines = svg.marks("vertical")
        XCTAssertEqual(lines.first?.number("data-x"), svg.number("data-air-level"))
        let shaded = try XCTUnwrap(svg.marks("shaded-range").first)
        XCTAssertEqual([shaded.number("data-low"), shaded.number("data-high")], [0.25, 1.25])
        XCTAssertEqual(try XCTUnwrap(svg.number("data-air-level")), 0.506, accuracy: 0.03, "raw pixels: air near 0.506")
    }

    /// Consumers read the PTV70 dose ×70 while the case says ×74: the two medians differ by the
    /// finding's factor.
    func testNormalizationHistogramShowsTheFactorConsumersMisread() async throws {
        let evidence = try await DefectEvidence.of(.rxNormalization)
        let figure = try evidence.figure(DoseNormalizationCheck.id)
        let svg = figure.figure.svg
        let ratio = try XCTUnwrap(svg.number("data-median-gy-consumers")) / (try XCTUnwrap(svg.number("data-median-gy-recorded")))
        XCTAssertEqual(ratio, try XCTUnwrap(figure.finding.value("consumersReadGyAs")), accuracy: 1e-4)
        XCTAssertEqual(svg.marks("shaded-range").first.flatMap { [$0.number("data-low"), $0.number("data-high")] }, [66.5, 74.9])
    }

    /// The disagreement the picture is centred on is the one the check counted while streaming.
    func testSDFMismatchCountsTheDisagreementTheCheckCounted() async throws {
        let evidence = try await DefectEvidence.of(.sdfMaskMismatch)
        let figure = try evidence.figure(SDFConsistencyCheck.id)
        XCTAssertEqual(figure.figure.svg.number("data-disagreeing-voxels"), figure.finding.value("disagreeingVoxels"))
        let panels = try EvidencePanel.all(in: figure.figure.svg)
        XCTAssertEqual(panels.first?.fixedIndex, figure.figure.svg.number("data-worst-slice").map { Int($0) })
        XCTAssertGreaterThan(try panels[0].count((0x00, 0xE5, 0xFF)), 0, "the SDF's zero level drawn")
    }

    /// A clean case has no figure and is not read; the checks with evidence are catalog checks; names are unique per case.
    func testCleanCaseHasNoEvidenceAndNamesAreUnique() async throws {
        let cleanAudits = try await CohortFixture.cleanEntries.asyncMap { try await AuditedCohort.audit(of: $0.fileName) }.compactMap { $0 }
        let clean = try XCTUnwrap(cleanAudits.first { $0.findings.allSatisfy { !AuditEvidence.checksWithEvidence.contains($0.check) } })
        XCTAssertEqual(try AuditEvidence.figures(for: clean, at: .file("/nonexistent/never-read.npz")).count, 0)
        XCTAssertEqual(AuditEvidence.checksWithEvidence.subtracting(CheckCatalog.standard.caseChecks.map(\.definition.id)), [])
        XCTAssertEqual(AuditEvidence.checksWithEvidence.count, 9)
        let mislabel = try await DefectEvidence.of(.doseMisregistration)
        let names = mislabel.figures.map(\.figure.name)
        XCTAssertEqual(Set(names).count, names.count)
        XCTAssertGreaterThanOrEqual(names.count, 2, "registration and D95 findings both drawn: \(names)")
        for evidence in mislabel.figures { XCTAssertEqual(mislabel.audit.findings[evidence.findingIndex], evidence.finding) }
    }

    /// Evidence of other bytes than the audited ones is refused, not drawn.
    func testACaseThatChangedSinceTheAuditIsRefused() async throws {
        let swapped = try XCTUnwrap(CohortFixture.files(for: .femurSwap).first)
        let audited = try await AuditedCohort.audit(of: swapped)
        let audit = try XCTUnwrap(audited)
        let other = CohortFixture.path(try XCTUnwrap(CohortFixture.files(for: .d95ArtifactBlatant).first))
        XCTAssertThrowsError(try AuditEvidence.figures(for: audit, at: .file(other))) { error in
            guard case let .caseChanged(file, audited, _)? = error as? EvidenceError else { return XCTFail("\(error)") }
            XCTAssertEqual(file, other)
            XCTAssertEqual(audited, audit.caseHash)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

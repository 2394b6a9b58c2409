import Support
import DoseCase
import Dosimetry
import Foundation
import NumpyFormat
import Phantoms
import SharedCohort
import XCTest

final class PhantomCohortTests: XCTestCase {
    func testTruthListsEveryFileWithItsDefectAndTheChecksThatMustFire() async throws {
        let truth = try await CohortFixture.truth()
        let defectFiles = PlantedDefect.referenceCohort.map(\.fileCount).reduce(0, +)
        XCTAssertEqual(truth.cases.count, CohortPlan.cleanKinds.count + defectFiles)
        for (file, entry) in truth.cases {
            XCTAssertTrue(FileManager.default.fileExists(atPath: CohortFixture.path(file)), file)
            XCTAssertEqual(file.split(separator: "/").first.map(String.init), entry.institution, "institution subfolder of \(file)")
            let defects = entry.defects.compactMap(PlantedDefect.init(rawValue:))
            XCTAssertEqual(defects.count, entry.defects.count, "unknown defect name in \(file)")
            XCTAssertEqual(entry.expect, defects.first?.expectedChecks ?? [], file)
        }
        for defect in PlantedDefect.referenceCohort {
            XCTAssertEqual(truth.cases.values.filter { $0.defects == [defect.rawValue] }.count, defect.fileCount, defect.rawValue)
        }
        let kinds = Set(truth.cases.values.filter { $0.defects.isEmpty }.map { "\($0.formatVersion) \($0.planType)" })
        XCTAssertEqual(kinds.count, CohortPlan.cleanKinds.count, "every version × plan type has a clean case")

        let csv = try String(contentsOfFile: CohortFixture.path(CohortWriter.institutionsFileName), encoding: .utf8)
        var lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.removeFirst(), "caseId,institution")
        let byCase = Dictionary(lines.map { line in (String(line.split(separator: ",")[0]), String(line.split(separator: ",")[1])) },
                                uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(byCase.count, lines.count, "one row per case id")
        XCTAssertEqual(Set(byCase.keys), Set(truth.cases.values.map(\.caseId)))
        for entry in truth.cases.values { XCTAssertEqual(byCase[entry.caseId], entry.institution, entry.caseId) }
    }

    /// NumPy reads every file, computes the same array hashes as dosecurate, and finds every clean
    /// case within the format spec and both acceptance tables (Fixtures/check_cohort_with_numpy.py).
    func testNumPyReadsEveryCaseAndCleanCasesMeetTheSpec() async throws {
        let truth = try await CohortFixture.truth()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/check_cohort_with_numpy.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, CohortFixture.directory.path]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { throw XCTSkip("python3 not available: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if errorText.contains("No module named 'numpy'") { throw XCTSkip("python3 has no numpy") }
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], errorText)
        XCTAssertEqual(report["violations"] as? [String], [], errorText)
        XCTAssertEqual(process.terminationStatus, 0, errorText)
        let files = try XCTUnwrap(report["files"] as? [String: [String: Any]])
        XCTAssertEqual(Set(files.keys), Set(truth.cases.keys))
        for (file, measured) in files {
            let defects = truth.cases[file]?.defects ?? []
            if defects == [PlantedDefect.truncatedFile.rawValue] {
                XCTAssertEqual(measured["loaded"] as? Bool, false, file)
                continue
            }
            if defects == [PlantedDefect.maliciousPickle.rawValue] {
                XCTAssertEqual(measured["metadata_refused"] as? Bool, true, "NumPy must refuse the pickle without allow_pickle")
            }
            let numpyArrays = try XCTUnwrap(measured["arrays"] as? [String: [String: Any]], file)
            // dosecurate refuses to open a case whose pickle would run a command; its arrays are
            // still compared, read through the archive layer.
            var hashes: [String: (dtype: String, sha256: String)] = [:]
            if defects == [PlantedDefect.maliciousPickle.rawValue] {
                XCTAssertThrowsError(try DoseCase.open(path: CohortFixture.path(file))) { error in
                    XCTAssertEqual((error as? DoseCaseError)?.code, "dose_case.unreadable_metadata", "\(file): \(error)")
                    XCTAssertEqual((error as? DoseCaseError)?.cause?.code, "pickle.disallowed_global", file)
                }
                try NPZArchive(path: CohortFixture.path(file)).forEachMember { member, content in
                    if let array = content.array { hashes[member.key] = (array.dtype.canonicalDescr, SHA256Hex.of(array.canonicalBytes())) }
                }
            } else {
                for (key, identity) in try DoseCase.open(path: CohortFixture.path(file)).survey().identity.arrays {
                    hashes[key] = (identity.dtype, identity.sha256)
                }
            }
            XCTAssertEqual(Set(numpyArrays.keys), Set(hashes.keys), file)
            for (key, identity) in hashes {
                XCTAssertEqual(numpyArrays[key]?["sha256"] as? String, identity.sha256, "\(file) \(key)")
                XCTAssertEqual(numpyArrays[key]?["dtype"] as? String, identity.dtype, "\(file) \(key)")
            }
        }
    }

    /// dosecurate's own reader sees what the truth says on every clean case: version, plan type
    /// (stored and implied), laterality, D95, SDF sign agreement, the absent-SDF convention.
    func testCleanCasesMatchTheirDefinitionsWhenReadByDosecurate() async throws {
        let truth = try await CohortFixture.truth()
        for (file, entry) in truth.cases where entry.defects.isEmpty {
            let read = try ReadBack(CohortFixture.path(file))
            let doseCase = read.doseCase
            XCTAssertEqual(doseCase.caseId, entry.caseId)
            XCTAssertEqual(doseCase.formatVersion.version.rawValue, entry.formatVersion, file)
            XCTAssertFalse(doseCase.spacing.isGuessed, file)
            XCTAssertEqual(doseCase.storedPlanType, entry.planType, file)
            XCTAssertEqual(try doseCase.survey().impliedPlanType(channels: doseCase.channels)?.rawValue, entry.planType, file)
            XCTAssertEqual(read.masks.channelCount, entry.formatVersion == "2.4" ? 9 : 8, file)
            XCTAssertTrue(doseCase.prescription.isNormalisedTo70Gy, file)

            let femurLeft = try read.centroidColumn(StructureChannel.femurLeft)
            let femurRight = try read.centroidColumn(StructureChannel.femurRight)
            let prostate = try read.centroidColumn(StructureChannel.prostate)
            XCTAssertTrue(PatientAxes.isPatientLeft(column: femurLeft, of: prostate), file)
            XCTAssertTrue(PatientAxes.isPatientLeft(column: prostate, of: femurRight), file)

            XCTAssertGreaterThanOrEqual(try read.d95Gy(StructureChannel.ptv70), 66.5, file)
            let sdf = try doseCase.signedDistances()
            for channel in 0..<read.masks.channelCount {
                let mask = try read.masks.channel(channel).elements, distances = try sdf.channel(channel).elements
                if mask.contains(1) {
                    XCTAssertTrue(zip(mask, distances).allSatisfy { ($0 != 0) == ($1 < 0) }, "\(file) channel \(channel): sdf < 0 is the mask")
                    XCTAssertTrue(distances.allSatisfy { (-1...1).contains($0) }, file)
                } else {
                    XCTAssertEqual(Set(distances), [entry.formatVersion == "2.4" ? 0 : 1], "\(file) absent channel \(channel)")
                }
            }
        }
    }

    func testSameSeedGivesByteIdenticalFilesAndAnotherSeedAnotherPatient() async throws {
        _ = try await CohortFixture.truth()
        let entry = CohortFixture.cleanEntries[0]
        let again = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-again-\(UUID().uuidString).npz").path
        defer { try? FileManager.default.removeItem(atPath: again) }
        try PhantomCase.generate(entry.recipe, size: .small).write(to: again)
        XCTAssertEqual(FileManager.default.contents(atPath: again), FileManager.default.contents(atPath: CohortFixture.path(entry.fileName)))

        var other = entry.recipe
        other.patientSeed &+= 1
        let first = try MemberFingerprint.of(try PhantomCase.generate(entry.recipe, size: .small))
        let second = try MemberFingerprint.of(try PhantomCase.generate(other, size: .small))
        XCTAssertTrue(MemberFingerprint.differingKeys(first, second).isSuperset(of: ["ct", "masks", "masks_sdf", "dose"]))
    }

    func testPlanDealsEveryKindToEveryInstitutionAndDefectsNeverMoveCleanCases() {
        let options = CohortPlan.Options(cleanCases: 16, defects: [], institutions: ["A", "B"], size: .small, seed: 3)
        let plan = CohortPlan(options)
        for institution in ["A", "B"] {
            let kinds = plan.entries.filter { $0.recipe.institution == institution }.map { "\($0.recipe.formatVersion) \($0.recipe.planType)" }
            XCTAssertEqual(Set(kinds).count, CohortPlan.cleanKinds.count, institution)
        }
        var withDefects = options
        withDefects.defects = PlantedDefect.allCases
        let bigger = CohortPlan(withDefects)
        XCTAssertEqual(bigger.entries.prefix(16).map(\.recipe), plan.entries.map(\.recipe))
        XCTAssertEqual(bigger.entries.count, 16 + PlantedDefect.allCases.map(\.fileCount).reduce(0, +))
        XCTAssertEqual(Set(bigger.entries.map(\.fileName)).count, bigger.entries.count, "file names are unique")
    }

    func testWriterRefusesAFolderThatAlreadyHoldsFiles() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-busy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("old".utf8).write(to: folder.appendingPathComponent("old.npz"))
        let plan = CohortPlan(.init(cleanCases: 1, defects: [], institutions: [], size: .small, seed: 1))
        do {
            try await CohortWriter.write(plan, to: folder.path)
            XCTFail("wrote into a folder that already held a file")
        } catch let error as PhantomError {
            XCTAssertEqual(error.code, "phantom.output_not_empty", error.description)
            guard case let .outputNotEmpty(directory, entries) = error else { return }
            XCTAssertEqual(directory, folder.path)
            XCTAssertEqual(entries, 1)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["old.npz"])
    }
}

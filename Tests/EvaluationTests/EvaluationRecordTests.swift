import Support
import Dosimetry
@testable import Evaluation
import Foundation
import Lineage
import XCTest

/// The evaluation record: its hash covers what it asserts and nothing else, an edited file is
/// refused on reading, and the aggregate is what a reader would compute by hand.
final class EvaluationRecordTests: XCTestCase {
    private func record(createdAt: String = "2026-11-27T00:00:00Z", files: [EvaluationRecord.Context.CaseFiles] = []) throws -> EvaluationRecord {
        try SyntheticEvaluations.record([
            SyntheticEvaluations.evaluation("case_b", mae: 1.0, passRate: 90, d95Error: -1),
            SyntheticEvaluations.evaluation("case_a", mae: 2.0, passRate: 80, d95Error: 0.5, rectumV70: 20),
        ], missingPredictions: ["case_c"], createdAt: createdAt, files: files)
    }

    func testHashCoversTheIdentityNotTheContext() throws {
        let first = try record(), moved = try record(createdAt: "2027-01-01T00:00:00Z", files: [.init(caseId: "case_a", reference: "x", prediction: "y")])
        XCTAssertEqual(first.hash, moved.hash)
        XCTAssertEqual(first.fileName, "evaluations/\(first.hash.prefix(16)).json")
        let other = try EvaluationRecord(
            identity: .init(settings: try EvaluationSettings(subsample: 4), cases: first.identity.cases, missingPredictions: ["case_c"]),
            context: first.context)
        XCTAssertNotEqual(first.hash, other.hash, "the gamma subsample is part of what the record asserts")
        XCTAssertEqual(first.identity.cases.map(\.caseId), ["case_a", "case_b"])
    }

    func testRecordReadsBackAndAnEditIsRefused() throws {
        let original = try record()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("evaluation-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let bytes = try original.bytes()
        XCTAssertEqual(bytes.last, 0x0A)
        try Data(bytes).write(to: file)
        XCTAssertEqual(try EvaluationRecord.read(file.path), original)

        let edited = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"maeGy\": 2", with: "\"maeGy\": 1.5")
        XCTAssertNotEqual(edited, String(decoding: bytes, as: UTF8.self))
        try Data(edited.utf8).write(to: file)
        XCTAssertThrowsError(try EvaluationRecord.read(file.path)) { error in
            XCTAssertEqual((error as? EvaluationError)?.code, "evaluation.edited_record", "\(error)")
            guard case let .editedRecord(path, _)? = error as? EvaluationError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, file.path)
        }
    }

    func testAggregateSummarisesAcrossCases() throws {
        let aggregate = try record().identity.aggregate
        XCTAssertEqual(aggregate.cases, 2)
        XCTAssertEqual(aggregate.maeGy.mean, 1.5)
        // Sample standard deviation (n − 1) of 1 and 2.
        XCTAssertEqual(try XCTUnwrap(aggregate.maeGy.std), 0.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(aggregate.gammaGlobalPassRate.mean, 85)
        XCTAssertEqual(aggregate.gammaPTVRegionPassRate.n, 0)
        XCTAssertNil(aggregate.gammaPTVRegionPassRate.mean)
        XCTAssertEqual(aggregate.ptv70D95ErrorGy.mean, -0.25)
        XCTAssertEqual(aggregate.ptv70D95AbsoluteErrorGy.mean, 0.75)
        // 16 of the 20 constraints evaluated (no PTV56, PTV50.4); case_a fails Rectum V70 only.
        XCTAssertEqual(aggregate.predictionsPassed, 1)
        XCTAssertEqual(aggregate.referencesPassed, 1)
        XCTAssertEqual(try XCTUnwrap(aggregate.predictionCompliancePercent.mean), (100 + 100 * 15 / 16) / 2, accuracy: 1e-12)
    }

    /// The record names its protocol and the hash of its canonical JSON; another table, another hash.
    func testSettingsPinTheProtocol() throws {
        let current = try EvaluationSettings(), older = try EvaluationSettings(acceptanceProtocol: AcceptanceProtocol.builtIn(named: "published-v2.3"))
        XCTAssertEqual(current.acceptanceProtocol.definition.name, "current")
        XCTAssertEqual(current.acceptanceProtocol.hash, try JSONValue(encoding: AcceptanceProtocol.builtIn(named: "current")).canonicalSHA256)
        XCTAssertNotEqual(current.acceptanceProtocol.hash, older.acceptanceProtocol.hash)
        let written = try JSONValue(encoding: current)
        XCTAssertEqual(written["protocol"]?["hash"]?.stringValue, current.acceptanceProtocol.hash)
        XCTAssertEqual(written["protocol"]?["definition"]?["constraints"]?.arrayValue?.count, 20)
    }

    /// Gamma statistics: pass is γ ≤ 1 (a gamma of exactly 1 passes), median as NumPy's.
    func testGammaStatisticsDefinitions() throws {
        let statistics = GammaStatistics(gammas: [0.2, 1.0, 1.0000001, 2.0])
        XCTAssertEqual(statistics.passRate, 50)
        XCTAssertEqual(try XCTUnwrap(statistics.median), (1.0 + Double(Float(1.0000001))) / 2, accuracy: 1e-12)
        XCTAssertEqual(statistics.max, 2)
        XCTAssertNil(GammaStatistics(gammas: []).passRate)
    }

    /// Gamma maps are context: listing them leaves the hash alone, and a record without them (v3 as
    /// written before `--save-gamma`, or v2) has no `gammaMaps` key and still reads.
    func testGammaMapsAreContextAndRecordsWithoutThemStillRead() throws {
        let plain = try record()
        XCTAssertFalse(String(decoding: try plain.bytes(), as: UTF8.self).contains("gammaMaps"))
        let maps = ["case_b", "case_a"].map {
            GammaMapFile(caseId: $0, path: GammaMapFile.path(caseId: $0, recordHash: plain.hash), sha256: String(repeating: "c", count: 64))
        }
        XCTAssertEqual(maps[1].path, "evaluations/\(plain.hash.prefix(16))/gamma/case_a.npz")
        let context = plain.context
        let kept = try plain.with(context: .init(createdAt: context.createdAt, tool: context.tool, datasetRevision: nil, files: context.files,
                                                 seconds: context.seconds, gammaMaps: maps))
        XCTAssertEqual(kept.hash, plain.hash)
        XCTAssertEqual(kept.context.gammaMaps?.map(\.caseId), ["case_a", "case_b"])

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("evaluation-maps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("record.json")
        try Data(try kept.bytes()).write(to: file)
        XCTAssertEqual(try EvaluationRecord.read(file.path), kept)
        let workspace = try Workspace(path: folder.path, create: false)
        XCTAssertThrowsError(try kept.gammaMap(of: "case_c", in: workspace)) { error in
            XCTAssertEqual(error as? EvaluationError, .gammaMapNotSaved(caseId: "case_c", record: kept.fileName))
        }
        XCTAssertThrowsError(try kept.gammaMap(of: "case_a", in: workspace)) { error in
            XCTAssertEqual(error as? EvaluationError, .gammaMapMissing(path: maps[1].path))
        }

        // A version 2 record: no model, no gammaStatistics, no gammaMaps.
        guard case var .object(members) = try JSONValue.parse(try plain.bytes()) else { return XCTFail("not an object") }
        members["schema"] = .string("dosecurate/evaluation/2")
        members["model"] = nil
        members["gammaStatistics"] = nil
        members["context"] = nil
        members["hash"] = nil
        let identity = JSONValue.object(members)
        members["hash"] = .string(identity.canonicalSHA256)
        members["context"] = try JSONValue(encoding: plain.context)
        try Data(JSONValue.object(members).prettyUTF8).write(to: file)
        let version2 = try EvaluationRecord.read(file.path)
        XCTAssertEqual(version2.identity.schema, "dosecurate/evaluation/2")
        XCTAssertNil(version2.identity.model)
        XCTAssertNil(version2.context.gammaMaps)
    }
}

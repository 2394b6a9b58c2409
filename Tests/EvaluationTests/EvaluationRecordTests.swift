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
            XCTAssertTrue("\(error)".contains("no longer hashes"), "\(error)")
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
}

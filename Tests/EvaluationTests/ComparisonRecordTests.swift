import Dosimetry
@testable import Evaluation
import Foundation
import Lineage
import SharedCohort
import Support
import XCTest

/// The comparison record (`compare --record`): its hash covers the comparison and the evaluation
/// hashes, never the files or labels; it is written once, read back only while intact, verified
/// against the evaluations it names; and hash prefixes resolve across evaluations and comparisons.
final class ComparisonRecordTests: XCTestCase {
    private typealias Input = EvaluationComparison.Input
    private var work: URL!
    private var workspace: Workspace!

    override func setUp() async throws {
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-comparison-record-\(UUID().uuidString)")
        workspace = try Workspace(path: work.path, create: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// One seed's evaluation, recorded in the workspace's `evaluations/`.
    private func recorded(_ offset: Double, base: Double, label: String? = nil) throws -> Input {
        let evaluations = try (1...5).map { (index: Int) -> CaseEvaluation in
            let mae: Double = base + Double(index) / 10 + offset
            return try SyntheticEvaluations.evaluation("c\(index)", mae: mae, passRate: Double(90 + index), d95Error: Double(index) - 3)
        }
        let record = try SyntheticEvaluations.record(evaluations)
        let lock = try workspace.lock(.exclusive)
        try workspace.commit([(record.fileName, try record.bytes())])
        withExtendedLifetime(lock) {}
        return Input(file: workspace.file(record.fileName), record: record, label: label)
    }

    private func comparison(_ a: [Input], _ b: [Input], label: String? = "first look") throws -> ComparisonRecord {
        let compared = try EvaluationComparison(a: a, b: b, metrics: [.mae, .gammaGlobal], bootstrap: PercentileBootstrap(resamples: 200, seed: 3))
        return try ComparisonRecord(compared, a: a, b: b, label: label, in: workspace)
    }

    func testHashCoversTheComparisonNotWhereTheRecordsWereRead() throws {
        let a = [try recorded(0, base: 1, label: "baseline"), try recorded(0.2, base: 1)]
        let b = [try recorded(0.05, base: 1.5), try recorded(-0.1, base: 1.5)]
        let record = try comparison(a, b)
        XCTAssertEqual(record.fileName, "comparisons/\(record.hash.prefix(16)).json")
        XCTAssertEqual(record.identity.a.map(\.hash), a.map(\.record.hash).sorted())
        XCTAssertEqual(record.context.a.map(\.file), a.sorted { $0.record.hash < $1.record.hash }.map { $0.record.fileName },
                       "files inside the workspace are recorded relative to it")
        XCTAssertEqual(record.context.a.first { $0.hash == a[0].record.hash }?.label, "baseline")

        // The stored hash is the SHA-256 of the canonical JSON of every member but hash and context.
        let bytes = try record.bytes()
        guard case var .object(members) = try JSONValue.parse(bytes) else { return XCTFail("not an object") }
        XCTAssertEqual(members.removeValue(forKey: "hash")?.stringValue, record.hash)
        let context = try XCTUnwrap(members.removeValue(forKey: "context"))
        XCTAssertEqual(JSONValue.object(members).canonicalSHA256, record.hash)
        XCTAssertEqual(context["label"]?.stringValue, "first look")
        XCTAssertFalse(JSONValue.object(members).canonicalText.contains("evaluations/"), "no file path in the identity")
        XCTAssertFalse(JSONValue.object(members).canonicalText.contains("baseline"), "no label in the identity")

        // Other files, labels, time and order of naming: the same comparison, the same hash.
        let elsewhere = a.reversed().map { Input(file: "/somewhere/else/\($0.record.hash).json", record: $0.record, label: "renamed") }
        let again = try ComparisonRecord(
            try EvaluationComparison(a: elsewhere, b: b.reversed(), metrics: [.mae, .gammaGlobal], bootstrap: PercentileBootstrap(resamples: 200, seed: 3)),
            a: elsewhere, b: b.reversed(), label: nil, in: workspace, createdAt: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(again.hash, record.hash)
        XCTAssertEqual(again.identity, record.identity)
        let reseeded = try ComparisonRecord(
            try EvaluationComparison(a: a, b: b, metrics: [.mae, .gammaGlobal], bootstrap: PercentileBootstrap(resamples: 200, seed: 4)),
            a: a, b: b, label: "first look", in: workspace)
        XCTAssertNotEqual(reseeded.hash, record.hash, "the bootstrap seed is part of what the comparison asserts")
    }

    func testWrittenOnceReadBackAndVerified() async throws {
        let a = [try recorded(0, base: 1)], b = [try recorded(0.05, base: 1.5)]
        let record = try comparison(a, b)
        XCTAssertTrue(try record.commit(to: workspace))
        let written = try Data(contentsOf: URL(fileURLWithPath: workspace.file(record.fileName)))
        XCTAssertFalse(try comparison(a, b, label: "second").commit(to: workspace), "an identical comparison is not written twice")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: workspace.file(record.fileName))), written, "a written record is never edited")
        XCTAssertEqual(try ComparisonRecord.read(workspace.file(record.fileName)), record)
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: workspace.file(record.fileName)), against: "comparison.schema.json"), [])
        XCTAssertEqual(try ComparisonRecord.file(named: String(record.hash.prefix(6)), in: workspace), workspace.file(record.fileName))

        var report = try await WorkspaceVerifier.verify(workspace, deep: false, workers: 1)
        XCTAssertEqual(report.findings, [])
        XCTAssertEqual(report.records, 3)
        XCTAssertEqual(WorkspaceListing.read(workspace).comparisons.map(\.a), [[String(a[0].record.hash.prefix(16))]])

        // The evaluation of side B leaves the workspace: the comparison names what is not there.
        try FileManager.default.removeItem(atPath: workspace.file(b[0].record.fileName))
        report = try await WorkspaceVerifier.verify(workspace, deep: false, workers: 1)
        XCTAssertEqual(report.findings.map(\.kind), [.unknownEvaluation])
        XCTAssertEqual(report.findings.first?.record, record.fileName)
        XCTAssertEqual(report.findings.first?.path, b[0].record.fileName)

        // An edited comparison is refused on reading and reported by verify.
        let text = String(decoding: written, as: UTF8.self).replacingOccurrences(of: "\"alpha\": 0.05", with: "\"alpha\": 0.1")
        XCTAssertNotEqual(text, String(decoding: written, as: UTF8.self))
        try FileManager.default.removeItem(atPath: workspace.file(record.fileName))
        try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.file(record.fileName)))
        XCTAssertThrowsError(try ComparisonRecord.read(workspace.file(record.fileName))) { error in
            guard case let .editedRecord(path, _)? = error as? ComparisonError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? ComparisonError)?.code, "comparison.edited_record")
            XCTAssertEqual(path, workspace.file(record.fileName))
        }
        report = try await WorkspaceVerifier.verify(workspace, deep: false, workers: 1)
        XCTAssertEqual(report.findings.map(\.kind), [.recordTampered])
    }

    func testEvaluationsOutsideTheWorkspaceAreNotRecorded() throws {
        let a = [try recorded(0, base: 1)], b = [try recorded(0.05, base: 1.5)]
        try FileManager.default.removeItem(atPath: workspace.file(b[0].record.fileName))
        XCTAssertThrowsError(try comparison(a, b).commit(to: workspace)) { error in
            XCTAssertEqual(error as? ComparisonError, .evaluationNotInWorkspace(hash: b[0].record.hash, file: b[0].record.fileName))
        }
        XCTAssertFalse(workspace.exists("comparisons"))
    }

    func testHashPrefixesResolveAcrossEvaluationsAndComparisonsAndAmbiguityIsRefused() throws {
        let evaluation = "evaluations/abcd000000000001.json", comparison = "comparisons/abce000000000002.json"
        for file in [evaluation, comparison, "evaluations/ffff000000000003.json"] {
            try FileManager.default.createDirectory(atPath: workspace.file((file as NSString).deletingLastPathComponent), withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: workspace.file(file)))
        }
        // A gamma-map folder is named after its record's hash too, but is no record.
        try FileManager.default.createDirectory(atPath: workspace.file("evaluations/abcf000000000004/gamma"), withIntermediateDirectories: true)

        XCTAssertThrowsError(try RecordLookup.unique(prefix: "abc", in: workspace)) { error in
            XCTAssertEqual(error as? RecordLookupError, .ambiguous(argument: "abc", candidates: [comparison, evaluation]))
            XCTAssertEqual((error as? RecordLookupError)?.code, "record_lookup.ambiguous")
        }
        XCTAssertEqual(try RecordLookup.unique(prefix: "abcd", in: workspace), .init(kind: .evaluation, file: evaluation))
        XCTAssertEqual(try RecordLookup.unique(prefix: "abce", in: workspace), .init(kind: .comparison, file: comparison))
        XCTAssertEqual(try RecordLookup.unique(prefix: "abc", among: [.comparison], in: workspace).file, comparison)
        XCTAssertEqual(try EvaluationRecord.files(named: "abc", in: workspace), [workspace.file(evaluation)])
        XCTAssertThrowsError(try RecordLookup.unique(prefix: "abcf", in: workspace)) { error in
            guard case .notFound(argument: "abcf", kinds: [.evaluation, .comparison], searched: _)? = error as? RecordLookupError else { return XCTFail("\(error)") }
            XCTAssertEqual((error as? RecordLookupError)?.code, "record_lookup.not_found")
        }
        XCTAssertThrowsError(try RecordLookup.unique(prefix: "", in: workspace)) { error in
            guard case .notFound? = error as? RecordLookupError else { return XCTFail("\(error)") }
        }
    }
}

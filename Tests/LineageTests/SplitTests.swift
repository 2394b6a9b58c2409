import DoseCase
import Foundation
@testable import Lineage
import SharedCohort
import XCTest

/// Locked splits on synthetic dataset versions: determinism, ratios, pooling, patient groups,
/// growth by extension, refusals and tamper detection.
final class SplitTests: XCTestCase {
    private var folder: URL!
    private var workspace: Workspace!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-split-\(UUID().uuidString)")
        workspace = try Workspace(path: folder.path, create: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func lock(_ name: String = "main", dataset: String, seed: UInt64 = 0, folds: Int? = nil,
                      strata: [SplitStrata.Key] = SplitStrata.Key.allCases) throws -> SplitRevision {
        try SplitBook.lock(.init(name: name, dataset: dataset, strata: strata, seed: seed, folds: folds), in: workspace).0
    }

    func testTheSplitDependsOnlyOnItsInputs() throws {
        let cases = SyntheticDataset.cohort(60, institutions: ["A", "B"])
        let dataset = try SyntheticDataset.freeze(in: workspace, cases)
        let first = try lock(dataset: dataset)
        // Locking again is a no-op; the allocator's units come out the same whatever the input order.
        let (again, outcome) = try SplitBook.lock(.init(name: "main", dataset: dataset), in: workspace)
        XCTAssertEqual(outcome, .unchanged)
        XCTAssertEqual(again.identity, first.identity)
        let allocator = SplitAllocator(seed: 0, ratios: .init(train: 80, val: 10, test: 10), strata: SplitStrata(keys: SplitStrata.Key.allCases, boundariesCC: [50, 70]),
                                       groups: [:])
        XCTAssertEqual(allocator.units(of: cases).map(\.first.caseId), allocator.units(of: cases.shuffled()).map(\.first.caseId))
        // Another seed in another split: another order, the same counts.
        let other = try lock("other", dataset: dataset, seed: 7)
        XCTAssertNotEqual(other.identity.cases.map(\.role), first.identity.cases.map(\.role))
        XCTAssertEqual(other.identity.cases.count { $0.role == .test }, first.identity.cases.count { $0.role == .test })
        XCTAssertThrowsError(try lock("tiny", dataset: dataset, folds: 100)) { error in
            XCTAssertEqual((error as? LineageError)?.code, "lineage.invalid_split_request", "\(error)")
        }
        // Different inputs under a locked name are refused, naming the difference.
        XCTAssertThrowsError(try lock(dataset: dataset, seed: 9)) { error in
            XCTAssertEqual((error as? LineageError)?.code, "lineage.split_exists", "\(error)")
            guard case let .splitExists(name, difference)? = error as? LineageError else { return }
            XCTAssertEqual(name, "main")
            XCTAssertTrue(difference.contains("seed 0, asked 9"), difference)
        }
    }

    func testGlobalRatiosHoldAndEachStratumIsWithinOneOfItsShare() throws {
        let split = try lock(dataset: try SyntheticDataset.freeze(in: workspace, SyntheticDataset.cohort(100, institutions: ["A", "B"])))
        let roles = split.identity.cases.map(\.role)
        XCTAssertEqual(roles.count { $0 == .train }, 80)
        XCTAssertEqual(roles.count { $0 == .val }, 10)
        XCTAssertEqual(roles.count { $0 == .test }, 10)
        for stratum in split.identity.summary {
            let size = Double(stratum.train + stratum.val + stratum.test)
            XCTAssertLessThan(abs(Double(stratum.test) - size * 0.1), 1, stratum.stratum)
            XCTAssertLessThan(abs(Double(stratum.val) - size * 0.1), 1, stratum.stratum)
        }
        let boundaries = try XCTUnwrap(split.identity.strata.ptv70TertileBoundariesCC)
        // NumPy: np.percentile(volumes, [100/3, 200/3], method='lower') over the 100 volumes.
        let volumes = SyntheticDataset.cohort(100, institutions: ["A", "B"]).compactMap(\.ptv70VolumeCC).sorted()
        XCTAssertEqual(boundaries, [volumes[33], volumes[66]])
    }

    func testASmallStratumIsPooledWithItsNearestAndTheRecordSaysSo() throws {
        var cases = SyntheticDataset.cohort(30, institutions: ["A"])
        cases.append(SyntheticDataset.syntheticCase("lonely", "nodal_only", "A", volumeCC: 40))
        let split = try lock(dataset: try SyntheticDataset.freeze(in: workspace, cases), strata: [.planType, .institution])
        let pooling = try XCTUnwrap(split.identity.strata.pooled.first { $0.stratum == "nodal_only|A" })
        XCTAssertEqual(pooling.units, 1)
        XCTAssertEqual(split.identity.cases.first { $0.caseId == "lonely" }?.stratum, pooling.into)
        XCTAssertTrue(pooling.into.hasSuffix("|A"), "the same institution is nearer than another: \(pooling.into)")
    }

    func testOnePatientNeverStraddlesRolesOrFolds() throws {
        let cases = SyntheticDataset.cohort(40, institutions: ["A", "B"])
        let groups = [["case_0001", "case_0002"], ["case_0010", "case_0020", "case_0030"], ["case_0005", "case_0006"]]
        let split = try lock(dataset: try SyntheticDataset.freeze(in: workspace, cases, groups: groups), folds: 4)
        let byId = Dictionary(uniqueKeysWithValues: split.identity.cases.map { ($0.caseId, $0) })
        for group in groups {
            let members = group.compactMap { byId[$0] }
            XCTAssertEqual(members.count, group.count)
            XCTAssertEqual(Set(members.map(\.role)).count, 1, "\(group)")
            XCTAssertEqual(Set(members.map(\.fold)).count, 1, "\(group)")
            XCTAssertEqual(Set(members.map(\.group)), [group.sorted().joined(separator: "+")])
        }
        // Folds cover train+val once each, test never.
        for assignment in split.identity.cases {
            XCTAssertEqual(assignment.fold == nil, assignment.role == .test, assignment.caseId)
        }
        let foldSizes = Dictionary(grouping: split.identity.cases.compactMap(\.fold), by: { $0 }).mapValues(\.count)
        XCTAssertEqual(foldSizes.keys.sorted(), [0, 1, 2, 3])
        XCTAssertLessThanOrEqual((foldSizes.values.max() ?? 0) - (foldSizes.values.min() ?? 0), 3)
    }

    /// Institution C arrives with 30 cases: no old assignment moves, the new strata hold their ratios.
    func testGrowthKeepsEveryOldAssignmentAndBalancesTheNewCases() throws {
        let old = SyntheticDataset.cohort(60, institutions: ["A", "B"])
        let first = try lock(dataset: try SyntheticDataset.freeze(in: workspace, old), folds: 3)
        let newcomers = SyntheticDataset.cohort(30, institutions: ["C"], prefix: "c")
        let grownId = try SyntheticDataset.freeze(in: workspace, old + newcomers)
        let (grown, outcome) = try SplitBook.extend("main", dataset: grownId, allowNewTest: true, in: workspace)
        XCTAssertEqual(outcome, .written)
        XCTAssertEqual(grown.revision, 2)
        XCTAssertEqual(grown.identity.parent, .init(revision: 1, hash: first.envelope.storedHash))
        XCTAssertEqual(grown.identity.strata.ptv70TertileBoundariesCC, first.identity.strata.ptv70TertileBoundariesCC)
        let now = Dictionary(uniqueKeysWithValues: grown.identity.cases.map { ($0.caseId, $0) })
        for assignment in first.identity.cases { XCTAssertEqual(now[assignment.caseId], assignment) }
        let added = grown.identity.cases.filter { $0.revision == 2 }
        XCTAssertEqual(added.count, 30)
        let pooledC = Set(grown.identity.strata.pooled.filter { $0.stratum.contains("|C|") }.map(\.into))
        for assignment in added { XCTAssertTrue(assignment.stratum.contains("|C|") || pooledC.contains(assignment.stratum), assignment.stratum) }
        for stratum in grown.identity.summary where stratum.stratum.contains("|C|") {
            let size = Double(stratum.train + stratum.val + stratum.test)
            XCTAssertLessThanOrEqual(abs(Double(stratum.test) - size * 0.1), 1, stratum.stratum)
            XCTAssertLessThanOrEqual(abs(Double(stratum.val) - size * 0.1), 1, stratum.stratum)
        }
        XCTAssertEqual(added.filter { $0.role != .test }.count { $0.fold == nil }, 0, "new train/val cases get folds")
        XCTAssertEqual(SplitVerifier.verify(name: "main", in: workspace).findings, [])
        XCTAssertEqual(try SplitRevision.resolve("main", in: workspace).revision, 2)
        XCTAssertEqual(try SplitRevision.resolve("main@1", in: workspace).identity, first.identity)

        XCTAssertThrowsError(try SplitBook.extend("main@1", dataset: grownId, allowNewTest: true, in: workspace)) { error in
            XCTAssertEqual((error as? LineageError)?.code, "lineage.invalid_split_request", "\(error)")
        }
        // Without new test cases, a second institution's cases go to train and val only.
        let later = SyntheticDataset.cohort(12, institutions: ["D"], prefix: "d")
        let (noTest, _) = try SplitBook.extend("main", dataset: try SyntheticDataset.freeze(in: workspace, old + newcomers + later), allowNewTest: false, in: workspace)
        XCTAssertTrue(noTest.identity.cases.filter { $0.revision == 3 }.allSatisfy { $0.role != .test })
        XCTAssertFalse(noTest.identity.newCasesInTest)
    }

    func testExtendingWithAChangedCaseIsRefused() throws {
        let old = SyntheticDataset.cohort(20, institutions: ["A"])
        _ = try lock(dataset: try SyntheticDataset.freeze(in: workspace, old))
        var changed = old
        changed[3] = SyntheticDataset.syntheticCase(old[3].caseId, old[3].planType ?? "", old[3].institution, volumeCC: old[3].ptv70VolumeCC ?? 0, version: 1)
        changed.removeLast()
        let newId = try SyntheticDataset.freeze(in: workspace, changed + SyntheticDataset.cohort(5, institutions: ["B"], prefix: "b"))
        XCTAssertThrowsError(try SplitBook.extend("main", dataset: newId, allowNewTest: true, in: workspace)) { error in
            guard case let LineageError.splitCannotExtend(_, _, differences) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(differences.count, 2)
            XCTAssertTrue(differences.contains { $0.hasPrefix("\(old[3].caseId) has case hash") })
            XCTAssertTrue(differences.contains("\(old[19].caseId) is missing"))
        }
    }

    func testAnEditedRoleIsCaught() throws {
        let split = try lock(dataset: try SyntheticDataset.freeze(in: workspace, SyntheticDataset.cohort(30, institutions: ["A", "B"])))
        let testCase = try XCTUnwrap(split.identity.cases.first { $0.role == .test })
        var text = String(decoding: try workspace.read(split.fileName), as: UTF8.self)
        // Records are pretty-printed: the case's role is the first one after its id.
        let caseId = try XCTUnwrap(text.range(of: "\"caseId\": \"\(testCase.caseId)\""))
        let role = try XCTUnwrap(text.range(of: "\"role\": \"test\"", range: caseId.upperBound..<text.endIndex))
        text.replaceSubrange(role, with: "\"role\": \"train\"")
        try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.file(split.fileName)))
        let findings = SplitVerifier.verify(name: "main", in: workspace).findings
        XCTAssertEqual(findings.map(\.kind), [.recordTampered])
    }

    /// `verify` checks every split, and names a file in `splits/` that is no split record.
    func testWorkspaceVerifyCoversSplits() async throws {
        let split = try lock(dataset: try SyntheticDataset.freeze(in: workspace, SyntheticDataset.cohort(12, institutions: ["A"])))
        var text = String(decoding: try workspace.read(split.fileName), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"seed\": 0", with: "\"seed\": 1")
        try Data(text.utf8).write(to: URL(fileURLWithPath: workspace.file(split.fileName)))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: workspace.file("splits/notes.json")))
        let report = try await WorkspaceVerifier.verify(workspace, deep: false)
        XCTAssertTrue(report.findings.contains { $0.kind == .recordTampered && $0.record == split.fileName }, "\(report.findings)")
        XCTAssertTrue(report.findings.contains { $0.kind == .recordUnreadable && $0.record == "splits/notes.json" }, "\(report.findings)")
    }

    /// Ids people can type: a unique prefix, `latest`, `@k` after either; an ambiguous prefix is
    /// refused with the candidates. Seventeen versions guarantee two share a first hex digit.
    func testVersionsResolveByUniquePrefixAndLatestAndRefuseAmbiguousPrefixes() throws {
        let ids = try (0..<17).map { try SyntheticDataset.freeze(in: workspace, SyntheticDataset.cohort(2, institutions: ["A"], prefix: "v\($0)")) }
        for id in ids {
            let unique = (5...20).map { String(id.prefix($0)) }.first { prefix in ids.filter { $0.hasPrefix(prefix) }.count == 1 }
            let prefix = try XCTUnwrap(unique)
            XCTAssertEqual(try DatasetRevision.resolve(prefix, in: workspace).id, id)
            XCTAssertEqual(try DatasetRevision.resolve(prefix + "@1", in: workspace).reference, "\(id)@1")
        }
        // Every synthetic version has one date: the newest is the last by id.
        XCTAssertEqual(try DatasetRevision.resolve("latest", in: workspace).id, ids.max())
        let shared = try XCTUnwrap(Dictionary(grouping: ids) { $0.prefix(5) }.first { $0.value.count > 1 })
        XCTAssertThrowsError(try DatasetRevision.resolve(String(shared.key), in: workspace)) { error in
            guard case let .ambiguousDataset(reference, candidates)? = error as? LineageError else { return XCTFail("\(error)") }
            XCTAssertEqual(reference, String(shared.key))
            XCTAssertEqual(candidates, shared.value.sorted())
        }
    }
}

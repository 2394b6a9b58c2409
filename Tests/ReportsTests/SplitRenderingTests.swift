import Foundation
import Lineage
import Reports
import SharedCohort
import XCTest

/// `split export` formats parse and hold every case exactly once; `split show` warns about what
/// the test set lacks; the record validates against its schema.
final class SplitRenderingTests: XCTestCase {
    private var folder: URL!
    private var workspace: Workspace!
    private var split: SplitRevision!
    private var dataset: DatasetRevision!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-split-render-\(UUID().uuidString)")
        workspace = try Workspace(path: folder.path, create: true)
        let id = try SyntheticDataset.freeze(in: workspace, SyntheticDataset.cohort(50, institutions: ["A", "B"]))
        split = try SplitBook.lock(.init(name: "main", dataset: id, folds: 5), in: workspace).0
        dataset = try DatasetRevision.resolve(id, in: workspace)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private var allIds: [String] { split.identity.cases.map(\.caseId).sorted() }

    func testNnUNetFoldsPartitionTrainAndValAndLeaveTestOut() throws {
        let folds = try XCTUnwrap(JSONSerialization.jsonObject(with: SplitExport.render(split, dataset: dataset, format: .nnunet)) as? [[String: [String]]])
        XCTAssertEqual(folds.count, 5)
        let trainVal = Set(split.identity.cases.filter { $0.role != .test }.map(\.caseId))
        var validated: [String] = []
        for fold in folds {
            let train = fold["train"] ?? [], val = fold["val"] ?? []
            XCTAssertEqual(Set(train).union(val), trainVal)
            XCTAssertTrue(Set(train).isDisjoint(with: val))
            validated += val
        }
        XCTAssertEqual(validated.sorted(), trainVal.sorted(), "each train/val case is validated in exactly one fold")
    }

    func testMonaiAndCSVHoldEveryCaseOnceWithItsRoleAndPath() throws {
        let monai = try XCTUnwrap(JSONSerialization.jsonObject(with: SplitExport.render(split, dataset: dataset, format: .monai)) as? [String: [[String: Any]]])
        let roles = ["training": "train", "validation": "val", "test": "test"]
        var seen: [String] = []
        for (list, role) in roles {
            for entry in monai[list] ?? [] {
                let caseId = try XCTUnwrap(entry["caseId"] as? String)
                XCTAssertEqual(split.identity.cases.first { $0.caseId == caseId }?.role.rawValue, role)
                XCTAssertEqual(entry["image"] as? String, "cohort/\(caseId).npz")
                seen.append(caseId)
            }
        }
        XCTAssertEqual(seen.sorted(), allIds)

        let csv = String(decoding: try SplitExport.render(split, dataset: dataset, format: .csv), as: UTF8.self)
        var lines = csv.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.removeFirst(), "caseId,role,fold,stratum,institution,planType,path")
        XCTAssertEqual(lines.map { String($0.split(separator: ",")[0]) }.sorted(), allIds)
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields.count, 7, line)
            let assignment = try XCTUnwrap(split.identity.cases.first { $0.caseId == fields[0] })
            XCTAssertEqual(fields[1], assignment.role.rawValue)
            XCTAssertEqual(fields[2], assignment.fold.map(String.init) ?? "")
            XCTAssertEqual(fields[3], assignment.stratum)
        }
    }

    func testShowCountsEveryRoleAndWarnsWhatTheTestSetLacks() throws {
        let text = SplitText.render(split, dataset: dataset)
        XCTAssertTrue(text.hasPrefix("main@1  (\(dataset.id); seed 0; ratios 80/10/10"), text)
        let total = try XCTUnwrap(text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("total") })
        XCTAssertEqual(total.split(separator: " ").dropFirst().map(String.init), ["40", "5", "5"])
        let warnings = SplitText.warnings(test: [SyntheticDataset.syntheticCase("x", "single_rx", "A", volumeCC: 50)],
                                          planTypes: ["sib_2level", "single_rx"], institutions: ["A", "B"])
        XCTAssertEqual(warnings, ["test set contains no sib_2level case", "test set contains no case from institution B"])
        XCTAssertEqual(SplitText.warnings(test: [], planTypes: ["single_rx"], institutions: ["A"]), ["the test set is empty"])
    }

    func testTheRecordValidatesAgainstItsSchema() throws {
        XCTAssertEqual(try SchemaValidation.errors(validating: URL(fileURLWithPath: workspace.file(split.fileName)), against: "locked-split.schema.json"), [])
    }
}

import Support
import DoseCase
import Dosimetry
import Engine
import Evaluation
import Foundation
import Lineage
import NumpyFormat
import Phantoms
import Workflows
import XCTest

/// `predict` on the frozen clean cohort: the pinned test cases predicted into files `evaluate`
/// accepts, with the case's metadata and the provenance entry; channel harmonisation recorded;
/// unreadable files listed, not predicted.
final class PredictWorkflowTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-predict")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Small weights: b = 2, depth 1, so a whole small case is one 112×112×80 patch.
    private func weights(inputs: Int, seed: UInt64) throws -> String {
        var generator = SeededGenerator(seed: seed)
        let path = work.appendingPathComponent("weights-\(inputs).safetensors").path
        try ModelWeights(model: BaselineUNet3D(configuration: UNetConfiguration(baseWidth: 2, depth: 1, inputChannels: inputs), generator: &generator),
                         datasetVersion: "dsv-trained-here").write(to: path)
        return path
    }

    func testPinnedPredictionsAreFilesTheEvaluationAccepts() async throws {
        let selection = SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test)
        let folder = work.appendingPathComponent("predictions").path
        let outcome = try await PredictWorkflow.run(PredictRequest(
            weightsPath: try weights(inputs: 10, seed: 1), cases: .pinned(selection), outputDirectory: folder,
            window: SlidingWindow(patch: [112, 112, 80]), threads: 2))
        let testCases = try SplitRevision.resolve("main", in: space).identity.cases.filter { $0.role == .test }.map(\.caseId).sorted()
        XCTAssertEqual(outcome.written.map(\.caseId).sorted(), testCases)
        XCTAssertTrue(outcome.skipped.isEmpty)

        let evaluated = try await EvaluateWorkflow.run(EvaluateRequest(references: [], predictions: folder, selection: selection, workspace: space,
                                                                       subsample: 4))
        XCTAssertEqual(evaluated.record.identity.cases.map(\.caseId).sorted(), testCases, "every prediction evaluated")
        XCTAssertTrue(evaluated.record.identity.missingPredictions.isEmpty)

        for written in outcome.written {
            let archive = try NPZArchive(path: written.file)
            let dose = try archive.read("dose").elements(as: Float.self)
            XCTAssertTrue(dose.allSatisfy { PredictWorkflow.clampRange.contains($0) })
            let caseFile = try DoseCase.open(path: try file(of: written.caseId))
            XCTAssertEqual(try archive.read("dose").shape, caseFile.shape?.dimensions)
            let metadata = try XCTUnwrap(DoseCase.open(path: written.file).metadata)
            XCTAssertEqual(metadata["case_id"]?.asString, written.caseId, "the case's own metadata")
            let provenance = try XCTUnwrap(metadata["prediction"])
            XCTAssertEqual(provenance["weights_sha256"]?.asString, outcome.weightsSHA256)
            XCTAssertEqual(provenance["trained_on_dataset_version"]?.asString, "dsv-trained-here")
            XCTAssertEqual(provenance["case_dataset_version"]?.asString?.hasPrefix(dataset), true)
            // An 8-channel case lacks PTV50.4, filled with 0 and recorded.
            XCTAssertEqual(written.filledChannels, caseFile.channels.count == 8 ? ["PTV50.4"] : [])
            XCTAssertEqual(provenance["filled_channels_with_zero"]?.asArray?.compactMap(\.asString), written.filledChannels)
            XCTAssertEqual(provenance["outside_body"]?.asString?.hasPrefix("set to 0"), true)
        }
    }

    /// No dose in the air around the patient unless asked: weights whose output is positive
    /// everywhere predict 0 exactly where `ExternalAir` finds air, and the same dose elsewhere as
    /// with `keepsDoseOutsideBody`, which keeps the output there.
    func testDoseOutsideTheBodyIsZeroUnlessKept() async throws {
        var generator = SeededGenerator(seed: 5)
        let configuration = try UNetConfiguration(baseWidth: 2, depth: 1, inputChannels: 10)
        var parameters = try BaselineUNet3D(configuration: configuration, generator: &generator).parameters
        parameters["out_conv.weight"] = .zeros([1, 2, 1, 1, 1])
        parameters["out_conv.bias"] = Tensor(repeating: 0.25, shape: [1])
        let path = work.appendingPathComponent("positive.safetensors").path
        try ModelWeights(model: BaselineUNet3D(configuration: configuration, parameters: parameters), datasetVersion: nil).write(to: path)
        let selection = SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test)
        func predict(keeping: Bool) async throws -> PredictOutcome.Written {
            let outcome = try await PredictWorkflow.run(PredictRequest(
                weightsPath: path, cases: .pinned(selection), outputDirectory: work.appendingPathComponent("kept-\(keeping)").path,
                window: SlidingWindow(patch: [112, 112, 80]), threads: 2, keepsDoseOutsideBody: keeping))
            return try XCTUnwrap(outcome.written.min { $0.caseId < $1.caseId })
        }
        let zeroed = try await predict(keeping: false), kept = try await predict(keeping: true)
        let air = ExternalAir.mask(normalizedCT: try DoseCase.open(path: try file(of: zeroed.caseId)).volume("ct"))
        let zeroedDose = try NPZArchive(path: zeroed.file).read("dose").elements(as: Float.self)
        let keptDose = try NPZArchive(path: kept.file).read("dose").elements(as: Float.self)
        XCTAssertGreaterThan(air.filter { $0 }.count, air.count / 20, "the small phantoms have air around the body")
        XCTAssertLessThan(air.filter { $0 }.count, air.count / 2)
        for voxel in air.indices {
            XCTAssertEqual(zeroedDose[voxel], air[voxel] ? 0 : keptDose[voxel], "voxel \(voxel)")
            if air[voxel] { XCTAssertEqual(keptDose[voxel], 0.25, "voxel \(voxel)") }
            if zeroedDose[voxel] != (air[voxel] ? 0 : keptDose[voxel]) || (air[voxel] && keptDose[voxel] != 0.25) { break }
        }
        let keptProvenance = try XCTUnwrap(DoseCase.open(path: kept.file).metadata?["prediction"])
        XCTAssertEqual(keptProvenance["outside_body"]?.asString, "kept")
    }

    /// One selection path: a hand-edited split record is refused by every pinned command, before
    /// any work, with the same error; `split verify` reports it.
    func testAHandEditedSplitIsRefusedByEveryPinnedCommand() async throws {
        let splitFile = space.file(SplitRevision.fileName(name: "main", revision: 1))
        let text = try String(contentsOfFile: splitFile, encoding: .utf8)
        let edited = try XCTUnwrap(text.range(of: "\"role\": \"test\"").map { text.replacingCharacters(in: $0, with: "\"role\": \"train\"") })
        try edited.write(toFile: splitFile, atomically: true, encoding: .utf8)
        func assertRefused(_ command: String, _ body: () async throws -> Void) async {
            do {
                try await body()
                XCTFail("\(command) accepted an edited split")
            } catch let error as SelectionError {
                guard case let .tamperedRecord(path, _, _) = error else { return XCTFail("\(command): \(error)") }
                XCTAssertEqual(path, splitFile, command)
            } catch {
                XCTFail("\(command): \(error)")
            }
        }
        let selection = SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test)
        let output = work.appendingPathComponent("refused").path
        await assertRefused("predict") {
            _ = try await PredictWorkflow.run(PredictRequest(weightsPath: try weights(inputs: 10, seed: 1), cases: .pinned(selection),
                                                             outputDirectory: output, window: SlidingWindow(patch: [112, 112, 80]), threads: 1))
        }
        await assertRefused("evaluate") {
            let folder = work.appendingPathComponent("predictions").path
            try SyntheticPrediction.writePredictions(forCases: [try FrozenCleanCohort.file(of: try XCTUnwrap(SplitRevision.read(name: "main", revision: 1, from: space)
                .identity.cases.first?.caseId), dataset: dataset, in: space)], to: folder, seed: 3)
            _ = try await EvaluateWorkflow.run(EvaluateRequest(references: [], predictions: folder, selection: selection, workspace: space))
        }
        await assertRefused("export") {
            _ = try await ExportWorkflow.run(workspace: space, dataset: dataset, split: "main", to: "\(output).h5")
        }
        await assertRefused("train") {
            _ = try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: TrainWorkflowTests.quick))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "nothing written")
        XCTAssertEqual(SplitVerifier.verify(name: "main", in: space).findings.map(\.kind), [.recordTampered])
    }

    func testChannelsAreHarmonisedAndUnreadableFilesListed() async throws {
        let cases = work.appendingPathComponent("cases")
        try FileManager.default.createDirectory(at: cases, withIntermediateDirectories: true)
        let testCase = try SplitRevision.resolve("main", in: space).identity.cases.first { $0.role == .test }
        let source = try file(of: try XCTUnwrap(testCase).caseId)
        try FileManager.default.copyItem(atPath: source, toPath: cases.appendingPathComponent("one.npz").path)
        try Data("not a case".utf8).write(to: cases.appendingPathComponent("broken.npz"))
        let outcome = try await PredictWorkflow.run(PredictRequest(
            weightsPath: try weights(inputs: 8, seed: 2), cases: .paths([cases.path]), outputDirectory: work.appendingPathComponent("out").path,
            window: SlidingWindow(patch: [112, 112, 80]), threads: 1))
        let written = try XCTUnwrap(outcome.written.first)
        XCTAssertEqual(outcome.written.count, 1)
        // 8 inputs = CT + 7 SDFs: Bowel (and PTV50.4 when present) are left out.
        XCTAssertEqual(written.unusedChannels.prefix(1), ["Bowel"])
        XCTAssertTrue(written.filledChannels.isEmpty)
        XCTAssertEqual(outcome.skipped.map { ($0.file as NSString).lastPathComponent }, ["broken.npz"])

        await XCTAssertThrowsErrorAsync(try await PredictWorkflow.run(PredictRequest(
            weightsPath: try weights(inputs: 8, seed: 2), cases: .paths([cases.path]), outputDirectory: work.appendingPathComponent("out").path,
            window: SlidingWindow(patch: [112, 112, 81]), threads: 1)), "patch not a multiple of 2") { error in
            XCTAssertEqual((error as? EngineError)?.code, "engine.invalid_setting", "\(error)")
            guard case let .invalidSetting(name, _, _)? = error as? EngineError else { return }
            XCTAssertEqual(name, "patch")
        }
    }

    private func file(of caseId: String) throws -> String { try FrozenCleanCohort.file(of: caseId, dataset: dataset, in: space) }
}

private func XCTAssertThrowsErrorAsync(_ body: @autoclosure () async throws -> some Any, _ message: String,
                                       file: StaticString = #filePath, line: UInt = #line, _ handler: (any Error) -> Void) async {
    do {
        _ = try await body()
        XCTFail("expected an error: \(message)", file: file, line: line)
    } catch {
        handler(error)
    }
}

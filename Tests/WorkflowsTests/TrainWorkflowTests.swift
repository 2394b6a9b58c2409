import Support
import DoseCase
import Engine
import Evaluation
import Foundation
import Lineage
import NumpyFormat
import Phantoms
import SharedCohort
import Workflows
import XCTest

/// `train` on the frozen clean cohort (split "main": train 50 / val 0 / test 50): the refusals,
/// the run record against its schema, the cache without test cases, and weights `predict` and
/// `evaluate` accept.
final class TrainWorkflowTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-train")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// Small and quick: b = 8, depth 2, 32³ patches, one patch per case per epoch.
    static let quick = TrainingConfiguration(preset: .tiny, depth: 2, patch: [32, 32, 32], batchSize: 2, epochs: 2, patchesPerVolume: 1,
                                             learningRate: 1e-3, patience: nil, seed: 3, threads: 2)

    private func refusal(_ request: TrainRequest) async -> Error? {
        do {
            _ = try await TrainWorkflow.start(request)
            return nil
        } catch {
            return error
        }
    }

    func testRefusesAFolderAnEditedSplitAndASplitOfAnotherVersion() async throws {
        // A folder of case files, never frozen.
        let folder = work.appendingPathComponent("delivery").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let caseFile = try XCTUnwrap(CohortFixture.cleanEntries.first).fileName
        try FileManager.default.copyItem(atPath: CohortFixture.path(caseFile), toPath: "\(folder)/case.npz")
        let unpinned = await refusal(TrainRequest(workspace: space, dataset: folder, split: "main", configuration: Self.quick))
        XCTAssertEqual(unpinned as? TrainError, .unpinned(path: folder))
        XCTAssertEqual((unpinned as? TrainError)?.code, "train.unpinned")
        XCTAssertTrue("\(unpinned.map { "\($0)" } ?? "")".contains("dosecurate freeze"), "the message says what to do")

        let unknown = await refusal(TrainRequest(workspace: space, dataset: "dsv-0000000000000000", split: "main", configuration: Self.quick))
        XCTAssertEqual((unknown as? LineageError)?.code, "lineage.unknown_dataset", "a version the workspace does not hold: \(String(describing: unknown))")

        // Move one test case into training by editing the locked split's file.
        let splitFile = space.file(SplitRevision.fileName(name: "main", revision: 1))
        let text = try String(contentsOfFile: splitFile, encoding: .utf8)
        let edited = try XCTUnwrap(text.range(of: "\"role\": \"test\"").map { text.replacingCharacters(in: $0, with: "\"role\": \"train\"") })
        try edited.write(toFile: splitFile, atomically: true, encoding: .utf8)
        let tampered = await refusal(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: Self.quick))
        guard case .tamperedRecord(let path, _, _)? = tampered as? SelectionError else { return XCTFail("\(String(describing: tampered))") }
        XCTAssertEqual(path, splitFile)
        XCTAssertFalse(space.exists(RunFiles.folder), "no run folder for a refused run")
    }

    func testRefusesASplitThatAssignsACaseTheVersionExcluded() async throws {
        // A second version: the clean cases and a blatant D95 artifact, which the freeze excludes.
        _ = try await CohortFixture.truth()
        let delivery = work.appendingPathComponent("delivery")
        for file in CohortFixture.cleanEntries.map(\.fileName) + CohortFixture.files(for: .d95ArtifactBlatant) {
            let target = delivery.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CohortFixture.path(file), toPath: target.path)
        }
        let frozen = try await FreezeWorkflow.run(FreezeRequest(paths: [delivery.path], workspace: space))
        let excluded = try XCTUnwrap(frozen.revision.identity.excluded.first)
        _ = try SplitBook.lock(.init(name: "second", dataset: frozen.revision.id, ratios: .init(train: 50, val: 0, test: 50), strata: []), in: space)

        // Revision 2 of that split, hashed as a real record would be, that trains on the excluded case.
        let locked = try SplitRevision.resolve("second", in: space)
        guard case var .object(identity) = locked.envelope.identity, case var .array(cases) = identity["cases"],
              case var .object(entry) = cases.first else { return XCTFail("split identity layout") }
        entry["caseId"] = .string(excluded.caseId)
        entry["caseHash"] = .string(excluded.caseHash ?? "")
        entry["role"] = .string("train")
        cases.append(.object(entry))
        identity["cases"] = .array(cases)
        let forged = JSONValue.object([
            "schema": .string(LockedSplit.schemaName), "name": .string("second"), "revision": .int(2),
            "hash": .string(JSONValue.object(identity).canonicalSHA256), "identity": .object(identity), "context": locked.envelope.context,
        ])
        try Data(forged.canonicalUTF8).write(to: URL(fileURLWithPath: space.file(SplitRevision.fileName(name: "second", revision: 2))))

        let refused = await refusal(TrainRequest(workspace: space, dataset: frozen.revision.id, split: "second@2", configuration: Self.quick))
        guard case let .excludedCase(caseId, version, reason)? = refused as? SelectionError else { return XCTFail("\(String(describing: refused))") }
        XCTAssertEqual(caseId, excluded.caseId)
        XCTAssertEqual(version, frozen.revision.id)
        XCTAssertEqual((refused as? SelectionError)?.code, "selection.excluded_case")
        // The reason is the version's exclusion record (its reason and the audit checks that failed), not wording.
        XCTAssertTrue(reason.contains("dose.ptv_d95"), reason)
    }

    func testTrainsRecordsEverythingAndItsWeightsPredictForEvaluate() async throws {
        // The workspace is a git repository: the record names its commit.
        let git = URL(fileURLWithPath: "/usr/bin/env")
        for arguments in [["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "workspace"]] {
            XCTAssertEqual(try TestProcess.run(git, ["git", "-C", space.path] + arguments).status, 0)
        }
        let head = try TestProcess.run(git, ["git", "-C", space.path, "rev-parse", "HEAD"]).output.trimmingCharacters(in: .whitespacesAndNewlines)

        let outcome = try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: Self.quick, runId: "r1"))
        let split = try SplitRevision.resolve("main", in: space)
        let trainIds = split.identity.cases.filter { $0.role == .train }.map(\.caseId).sorted()
        let testIds = split.identity.cases.filter { $0.role == .test }.map(\.caseId).sorted()
        XCTAssertEqual(outcome.trainCases, trainIds)
        XCTAssertEqual(outcome.training.epochsCompleted, 2)
        XCTAssertTrue(outcome.cacheBuilt)

        // run.json: valid against its schema, and naming everything.
        let recordURL = URL(fileURLWithPath: space.file(RunFiles.record("r1")))
        XCTAssertEqual(try SchemaValidation.errors(validating: recordURL, against: "run.schema.json"), [])
        let stored = try FlatRecord.read([UInt8](Data(contentsOf: recordURL)), path: recordURL.path)
        XCTAssertEqual(stored.computedHash, stored.storedHash)
        let record = stored.identity, context = stored.context
        XCTAssertEqual(record["schema"]?.stringValue, "dosecurate/run/2")
        XCTAssertEqual(record["datasetVersion"]?.stringValue, dataset)
        XCTAssertEqual(record["split"]?["name"]?.stringValue, "main")
        XCTAssertEqual(record["split"]?["revision"]?.intValue, 1)
        XCTAssertEqual(record["split"]?["hash"]?.stringValue, split.envelope.storedHash)
        XCTAssertEqual(record["engine"], .object(["kind": .string("dosecurate")]))
        XCTAssertEqual(context["tool"]?["version"]?.stringValue, ToolBuild.current.version)
        XCTAssertEqual(context["tool"]?["commit"]?.stringValue, ToolBuild.commit, "the commit embedded at build time")
        XCTAssertEqual(context["workspace"]?["commit"]?.stringValue, head)
        XCTAssertEqual(context["workspace"]?["dirty"], .bool(false), "the training cache under .dosecurate/ does not count")
        XCTAssertEqual(record["config"], try JSONValue(encoding: Self.quick), "every setting, the seed included")
        XCTAssertEqual(record["config"]?["seed"]?.intValue, 3)
        XCTAssertEqual(context["environment"]?["threads"]?.intValue, 2)
        XCTAssertEqual(context["environment"]?["host"]?.stringValue, ProcessInfo.processInfo.hostName)
        XCTAssertEqual(record["data"]?["trainCases"]?.arrayValue?.compactMap(\.stringValue), trainIds)

        // The cache holds train and val cases only, never test cases.
        let cache = try TrainingCacheReader(path: space.file(outcome.cache))
        let cached = try JSONValue.parse(Array(cache.attribute("case_ids").utf8)).arrayValue?.compactMap(\.stringValue) ?? []
        XCTAssertEqual(cached.sorted(), trainIds)
        XCTAssertTrue(Set(cached).isDisjoint(with: testIds))

        let resultURL = URL(fileURLWithPath: space.file(RunFiles.result("r1")))
        XCTAssertEqual(try SchemaValidation.errors(validating: resultURL, against: "run.schema.json"), [])
        let result = try JSONValue.parse(try space.read(RunFiles.result("r1")))
        XCTAssertEqual(result["status"]?.stringValue, "succeeded")
        XCTAssertEqual(result["training"]?["epochsCompleted"]?.intValue, 2)
        XCTAssertEqual(result["training"]?["best"], .null, "no validation cases in this split")
        // Every file of the run folder but its records is listed with the SHA-256 of its bytes.
        let artifacts = try XCTUnwrap(RunResult.artifacts(in: result))
        XCTAssertEqual(artifacts.map(\.path), ["checkpoints/epoch-0002.optstate", "checkpoints/epoch-0002.safetensors", "metrics.csv"],
                       "the trainer keeps the latest checkpoint only")
        let last = try XCTUnwrap(artifacts.first { $0.path == outcome.training.lastCheckpoint })
        XCTAssertEqual(last.sha256, SHA256Hex.of(try space.read("\(outcome.runDirectory)/\(last.path)")))
        let metrics = try String(contentsOfFile: space.file("\(outcome.runDirectory)/\(Trainer.metricsFile)"), encoding: .utf8)
        XCTAssertEqual(metrics.split(separator: "\n").count, 3, "header and two epochs")

        // A second start under the same id, and a resume of a finished run, are refused.
        let again = await refusal(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: Self.quick, runId: "r1"))
        XCTAssertEqual(again as? TrainError, .runExists(runId: "r1"))
        do {
            _ = try await TrainWorkflow.resume(workspace: space, runId: "r1")
            XCTFail("a finished run cannot be resumed")
        } catch { XCTAssertEqual(error as? TrainError, .runFinished(runId: "r1")) }

        // Its weights predict the pinned test cases into files evaluate accepts.
        let weights = space.file("\(outcome.runDirectory)/\(outcome.training.lastCheckpoint)")
        XCTAssertEqual(try ModelWeights.read(path: weights).datasetVersion, "\(dataset)@1")
        let selection = SplitSelection(workspace: space, dataset: dataset, split: "main", role: .test)
        let predictions = work.appendingPathComponent("predictions").path
        let predicted = try await PredictWorkflow.run(PredictRequest(weightsPath: weights, cases: .pinned(selection), outputDirectory: predictions,
                                                                     window: SlidingWindow(patch: [112, 112, 80]), threads: 2))
        XCTAssertEqual(predicted.written.map(\.caseId).sorted(), testIds)
        let evaluated = try await EvaluateWorkflow.run(EvaluateRequest(references: [], predictions: predictions, selection: selection,
                                                                       workspace: space, subsample: 4))
        XCTAssertEqual(evaluated.record.identity.cases.map(\.caseId).sorted(), testIds)
        // No --run: the weights hash in the predictions finds the run whose result lists that checkpoint.
        XCTAssertEqual(evaluated.record.identity.model, EvaluationModel(run: "r1", weightsSHA256: last.sha256))
    }

    func testResampledTrainingUsesACoarseCacheAndPredictsOnTheCasesGrid() async throws {
        var configuration = Self.quick
        (configuration.epochs, configuration.resample, configuration.patch) = (1, 2, [32, 32, 32])
        let outcome = try await TrainWorkflow.start(TrainRequest(workspace: space, dataset: dataset, split: "main", configuration: configuration, runId: "coarse"))
        XCTAssertTrue(outcome.cache.hasSuffix("-r2.h5"), outcome.cache)
        let cache = try TrainingCacheReader(path: space.file(outcome.cache))
        XCTAssertEqual(try cache.attribute("resample"), "2")

        // The cached dose is the case's dose area-averaged 2 × 2 in the axial plane.
        let caseId = try XCTUnwrap(outcome.trainCases.first)
        let opened = try DoseCase.open(path: try file(of: caseId))
        let dose = try opened.volume("dose"), resampling = try InPlaneResampling(factor: 2)
        let coarse = resampling.coarseExtent(dose.shape.dimensions)
        XCTAssertEqual(try cache.extent(caseId: caseId, array: "dose"), coarse)
        XCTAssertEqual(try cache.readBox(caseId: caseId, array: "dose", start: [0, 0, 0], size: coarse),
                       resampling.downsample(dose.elements, channels: 1, native: dose.shape.dimensions))

        // The weights carry the factor; predict works on the coarse grid and writes the case's grid.
        let weights = space.file("\(outcome.runDirectory)/\(outcome.training.lastCheckpoint)")
        XCTAssertEqual(try ModelWeights.read(path: weights).resampling, resampling)
        let testCase = try XCTUnwrap(SplitRevision.resolve("main", in: space).identity.cases.first { $0.role == .test })
        let folder = work.appendingPathComponent("coarse-predictions").path
        let predicted = try await PredictWorkflow.run(PredictRequest(weightsPath: weights, cases: .paths([try file(of: testCase.caseId)]),
                                                                     outputDirectory: folder, window: SlidingWindow(patch: [56, 56, 80]), threads: 2))
        let written = try XCTUnwrap(predicted.written.first)
        let reference = try DoseCase.open(path: try file(of: testCase.caseId))
        XCTAssertEqual(try NPZArchive(path: written.file).read("dose").shape, reference.shape?.dimensions)
        XCTAssertEqual(try DoseCase.open(path: written.file).metadata?["prediction"]?["in_plane_resample"]?.asInt, 2)
    }

    private func file(of caseId: String) throws -> String { try FrozenCleanCohort.file(of: caseId, dataset: dataset, in: space) }
}

import Foundation
import Phantoms
import SharedCohort
import Support
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `dosecurate run -- COMMAND` as a user runs it: a PyTorch training script on a pinned version
/// (Debian's python3-torch on the CPU), its weights predicting and evaluated under the run's
/// name, `verify` holding the checkpoint; the refusals `train` makes; a failing command and a
/// SIGTERM recorded as such.
final class RunCommandTests: XCTestCase {
    private var work: URL!

    override func setUp() async throws {
        _ = try await CohortFixture.truth()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-run-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("ws/cases"), withIntermediateDirectories: true)
        try CohortFixture.copyCleanCases(6, to: work.appendingPathComponent("ws/cases"))
        XCTAssertEqual(try dosecurate(["init", "ws"], workspace: false).status, 0)
        let frozen = try dosecurate(["freeze", "ws/cases", "--quiet"])
        XCTAssertEqual(frozen.status, 0, frozen.errors)
        let locked = try dosecurate(["split", "lock", "main", "--dataset", "latest", "--ratios", "60/20/20", "--strata", "plan_type", "--quiet"])
        XCTAssertEqual(locked.status, 0, locked.errors)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    private var repository: URL { SchemaValidation.packageRoot }

    private func dosecurate(_ arguments: [String], workspace: Bool = true, environment: [String: String] = [:]) throws -> TestProcess.Result {
        // Options go before `--`: what follows it is the command's.
        var arguments = arguments
        if workspace { arguments.insert(contentsOf: ["--workspace", "ws"], at: arguments.firstIndex(of: "--") ?? arguments.endIndex) }
        return try TestProcess.run(try DosecurateBinary.url(), arguments, in: work, environment: environment)
    }

    private func json(_ relative: String) throws -> JSONValue {
        try JSONValue.parse([UInt8](Data(contentsOf: work.appendingPathComponent("ws/\(relative)"))))
    }

    func testAPyTorchRunIsPinnedRecordedPredictedEvaluatedAndVerified() throws {
        // A probe script first: it sees the variables, and PinnedCache reads the cache they name
        // after checking it against run.json.
        let probe = """
            import json, os, sys
            from dosecurate_torch import PinnedCache
            cache = PinnedCache()
            names = ["DOSECURATE_WORKSPACE", "DOSECURATE_RUN_DIR", "DOSECURATE_TRAIN_CACHE", "DOSECURATE_DATASET", "DOSECURATE_SPLIT"]
            report = {name: os.environ[name] for name in names}
            report["cases"] = sorted(cache.case_ids)
            with open(os.path.join(os.environ["DOSECURATE_RUN_DIR"], "probe.json"), "w") as out:
                json.dump(report, out)
            print("probe saw", len(cache), "cases")
            """
        let python = ["PYTHONPATH": repository.appendingPathComponent("python").path]
        let probed = try dosecurate(["run", "--dataset", "latest", "--split", "main", "--run-id", "probe", "--", "/usr/bin/python3", "-c", probe],
                                    environment: python)
        XCTAssertEqual(probed.status, 0, probed.errors)
        XCTAssertTrue(probed.output.contains("probe saw"), "the command's output reaches the terminal")
        let seen = try json("runs/probe/probe.json")
        let record = try json("runs/probe/run.json")
        XCTAssertEqual(try SchemaValidation.errors(validating: work.appendingPathComponent("ws/runs/probe/run.json"), against: "run.schema.json"), [])
        let dataset = try XCTUnwrap(record["datasetVersion"]?.stringValue)
        XCTAssertEqual(seen["DOSECURATE_DATASET"]?.stringValue, "\(dataset)@1")
        XCTAssertEqual(seen["DOSECURATE_SPLIT"]?.stringValue, "main@1")
        XCTAssertEqual(seen["DOSECURATE_RUN_DIR"]?.stringValue.map { URL(fileURLWithPath: $0).lastPathComponent }, "probe")
        XCTAssertEqual(seen["cases"]?.arrayValue?.compactMap(\.stringValue),
                       record["data"]?["trainCases"]?.arrayValue?.compactMap(\.stringValue).sorted(), "PinnedCache's default: the train cases")
        XCTAssertEqual(record["engine"]?["kind"]?.stringValue, "external")
        XCTAssertEqual(record["engine"]?["command"]?.arrayValue?.first?.stringValue, "/usr/bin/python3")
        XCTAssertEqual(record["context"]?["engine"]?["directory"]?.stringValue.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                       work.standardizedFileURL.path)
        let log = try String(contentsOf: work.appendingPathComponent("ws/runs/probe/log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("probe saw"), log)

        // The example training script, three steps on the CPU, its settings from a file (YAML in,
        // JSON handed over); a setting the script has no use for is named, not silently dropped.
        try "steps: 3\nseed: 5\nepochs: 45\n".write(to: work.appendingPathComponent("recipe.yaml"), atomically: true, encoding: .utf8)
        let trained = try dosecurate(["run", "--dataset", "latest", "--split", "main", "--run-id", "torch", "--label", "pytorch baseline",
                                      "--config", "recipe.yaml", "--",
                                      "/usr/bin/python3", repository.appendingPathComponent("python/examples/train_torch.py").path],
                                     environment: python)
        XCTAssertEqual(trained.status, 0, trained.errors)
        XCTAssertEqual(try json("runs/torch/run.json")["engine"]?["settings"], .object(["steps": .int(3), "seed": .int(5), "epochs": .int(45)]),
                       "run.json records the settings")
        XCTAssertEqual(try json("runs/torch/settings.json"), .object(["steps": .int(3), "seed": .int(5), "epochs": .int(45)]))
        let torchLog = try String(contentsOf: work.appendingPathComponent("ws/runs/torch/log.txt"), encoding: .utf8)
        XCTAssertTrue(torchLog.contains("settings this script does not use: epochs"), torchLog)
        XCTAssertTrue(torchLog.contains("step 3,") && !torchLog.contains("step 4,"), "three steps, from the file: \(torchLog)")
        XCTAssertEqual(try SchemaValidation.errors(validating: work.appendingPathComponent("ws/runs/torch/run.json"), against: "run.schema.json"), [])
        let result = try json("runs/torch/result.json")
        XCTAssertEqual(try SchemaValidation.errors(validating: work.appendingPathComponent("ws/runs/torch/result.json"), against: "run.schema.json"), [])
        XCTAssertEqual(result["status"]?.stringValue, "succeeded")
        let artifacts = result["artifacts"]?.arrayValue ?? []
        let best = try XCTUnwrap(artifacts.first { $0["path"]?.stringValue == "checkpoints/best.safetensors" }, "\(artifacts)")
        let bestBytes = try [UInt8](Data(contentsOf: work.appendingPathComponent("ws/runs/torch/checkpoints/best.safetensors")))
        XCTAssertEqual(best["sha256"]?.stringValue, SHA256Hex.of(bestBytes))
        XCTAssertTrue(artifacts.contains { $0["path"]?.stringValue == "metrics.csv" }, "log_metrics wrote the curve")
        XCTAssertTrue(artifacts.contains { $0["path"]?.stringValue == "settings.json" }, "the settings handed over are hashed with the run")

        // PyTorch weights predict in dosecurate, and the evaluation names the run and the checkpoint.
        // Few tiles: the tests run a debug build, where each tile of the tiny model takes a third of a second.
        let predicted = try dosecurate(["predict", "--run", "torch", "--dataset", "latest", "--split", "main", "--role", "test", "--patch", "32", "--overlap", "0.2",
                                        "--threads", "2", "--quiet"])
        XCTAssertEqual(predicted.status, 0, predicted.errors)
        let evaluated = try dosecurate(["evaluate", "--run", "torch", "--dataset", "latest", "--split", "main", "--subsample", "4"])
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        XCTAssertTrue(evaluated.output.contains("model: run torch"), evaluated.output)
        let evaluations = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("ws/evaluations").path)
        let evaluation = try json("evaluations/\(try XCTUnwrap(evaluations.first { $0.hasSuffix(".json") }))")
        XCTAssertEqual(evaluation["schema"]?.stringValue, "dosecurate/evaluation/3")
        XCTAssertEqual(evaluation["model"], .object(["run": .string("torch"), "weightsSHA256": .string(SHA256Hex.of(bestBytes))]))

        // verify holds the run's records and artifacts; one changed checkpoint byte is reported.
        let clean = try dosecurate(["verify"])
        XCTAssertEqual(clean.status, 0, clean.output + clean.errors)
        var changed = bestBytes
        changed[changed.count - 1] ^= 0x01
        try Data(changed).write(to: work.appendingPathComponent("ws/runs/torch/checkpoints/best.safetensors"))
        let drifted = try dosecurate(["verify"])
        XCTAssertEqual(drifted.status, 1)
        XCTAssertTrue(drifted.output.contains("artifact-changed  runs/torch/checkpoints/best.safetensors"), drifted.output)

        // An evaluation whose run is gone says so.
        try FileManager.default.moveItem(at: work.appendingPathComponent("ws/runs/torch"), to: work.appendingPathComponent("torch-moved"))
        let orphaned = try dosecurate(["verify"])
        XCTAssertEqual(orphaned.status, 1)
        XCTAssertTrue(orphaned.output.contains("unknown-run") && orphaned.output.contains("names run torch"), orphaned.output)
    }

    func testRefusalsFailuresAndSignalsAreRecorded() throws {
        // Unpinned data, an unknown split and a missing command: exit 2, no run folder.
        for arguments in [["--dataset", "ws/cases", "--split", "main"], ["--dataset", "latest", "--split", "nosuch"]] {
            let refused = try dosecurate(["run"] + arguments + ["--", "/bin/true"])
            XCTAssertEqual(refused.status, 2, refused.errors)
        }
        let missing = try dosecurate(["run", "--dataset", "latest", "--split", "main", "--", "no-such-command-here"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.errors.contains("no-such-command-here: no such command"), missing.errors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("ws/runs").path), "nothing is recorded for a refusal")

        // A command that fails is recorded, and its status is dosecurate's.
        let failed = try dosecurate(["run", "--dataset", "latest", "--split", "main", "--run-id", "three", "--", "/bin/sh", "-c",
                                     "echo partial > \"$DOSECURATE_RUN_DIR/partial.txt\"; exit 3"])
        XCTAssertEqual(failed.status, 3)
        let result = try json("runs/three/result.json")
        XCTAssertEqual(result["status"]?.stringValue, "failed")
        XCTAssertEqual(result["exitCode"]?.intValue, 3)
        XCTAssertEqual(result["artifacts"]?.arrayValue?.compactMap { $0["path"]?.stringValue }, ["log.txt", "partial.txt"])

        // SIGTERM to dosecurate reaches the command, and the run is recorded as interrupted.
        let process = Process()
        process.executableURL = try DosecurateBinary.url()
        process.currentDirectoryURL = work
        process.arguments = ["run", "--dataset", "latest", "--split", "main", "--run-id", "stopped", "--workspace", "ws", "--", "/bin/sh", "-c",
                             "trap 'echo got TERM > \"$DOSECURATE_RUN_DIR/term.txt\"; exit 143' TERM; touch \"$DOSECURATE_RUN_DIR/started\"; while :; do sleep 0.1; done"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = work.appendingPathComponent("ws/runs/stopped/started").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: started), Date() < deadline { usleep(20_000) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 143)
        let stopped = try json("runs/stopped/result.json")
        XCTAssertEqual(stopped["status"]?.stringValue, "interrupted")
        XCTAssertEqual(try String(contentsOf: work.appendingPathComponent("ws/runs/stopped/term.txt"), encoding: .utf8), "got TERM\n")

        // Runs that failed or were stopped still verify: their records and artifacts are intact.
        let verified = try dosecurate(["verify"])
        XCTAssertEqual(verified.status, 0, verified.output)
    }
}

import Support
import Engine
import Foundation
import Lineage
import SharedCohort
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `dosecurate train` killed mid-run and resumed: a simulated crash mid-epoch, a crash between
/// a checkpoint's two files, and a real `kill -9` each lose at most the unfinished epoch, never
/// leave a checkpoint a resume would use half-written, and — single-threaded, same seed — the
/// resumed run's loss curve and final weights equal an uninterrupted run's bit for bit.
final class TrainCrashTests: XCTestCase {
    private var work: URL!
    private var space: Workspace!
    private var dataset = ""

    override func setUp() async throws {
        (work, space, dataset) = try await FrozenCleanCohort.copy(named: "dosecurate-train-crash")
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: work)
    }

    /// 4 training cases, one patch each per epoch, batch 2: two steps per epoch, three epochs.
    private func trainArguments(runId: String) -> [String] {
        ["train", "--dataset", dataset, "--split", "main", "--preset", "tiny", "--depth", "2", "--patch", "32", "--epochs", "3",
         "--patches-per-volume", "1", "--batch-size", "2", "--lr", "1e-3", "--seed", "4", "--threads", "1", "--run-id", runId,
         "--workspace", space.path, "--quiet"]
    }

    private func resume(_ runId: String) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), ["train", "--resume", runId, "--threads", "1", "--workspace", space.path, "--quiet"])
    }

    private func run(_ runId: String) -> String { space.file(RunFiles.directory(runId)) }

    /// metrics.csv without the time columns.
    private func curve(_ runId: String) throws -> [String] {
        try String(contentsOfFile: "\(run(runId))/\(Trainer.metricsFile)", encoding: .utf8).split(separator: "\n").map(EpochSummary.withoutTimes)
    }

    private func finalWeights(_ runId: String) throws -> [String: Tensor] {
        try SafeTensors.read(path: "\(run(runId))/checkpoints/epoch-0003.safetensors").tensors
    }

    private func checkpoints(_ runId: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(run(runId))/checkpoints")) ?? []).sorted()
    }

    func testResumesAfterCrashesAndAKillReproducingTheUninterruptedRun() throws {
        let binary = try DosecurateBinary.url()
        let straight = try TestProcess.run(binary, trainArguments(runId: "straight"))
        XCTAssertEqual(straight.status, 0, straight.errors)
        XCTAssertEqual(try curve("straight").count, 4, "header and three epochs")

        // Killed in the middle of epoch 2: epoch 1's checkpoint and row survive, nothing else.
        let crashed = try TestProcess.run(binary, trainArguments(runId: "mid-epoch"), environment: [CrashPoint.environmentKey: "train-epoch-2-batch-1"])
        XCTAssertEqual(crashed.status, CrashPoint.exitStatus, crashed.errors)
        XCTAssertEqual(checkpoints("mid-epoch"), ["epoch-0001.optstate", "epoch-0001.safetensors"])
        XCTAssertEqual(try curve("mid-epoch").count, 2)
        XCTAssertFalse(space.exists(RunFiles.result("mid-epoch")))
        let resumed = try resume("mid-epoch")
        XCTAssertEqual(resumed.status, 0, resumed.errors)
        let note = try JSONValue.parse(try space.read(RunFiles.resume("mid-epoch", 1)))
        XCTAssertEqual(note["fromEpoch"]?.intValue, 1)
        XCTAssertEqual(try curve("mid-epoch"), try curve("straight"), "the same loss curve, bit for bit")
        XCTAssertEqual(try finalWeights("mid-epoch"), try finalWeights("straight"))
        XCTAssertEqual(try JSONValue.parse(try space.read(RunFiles.result("mid-epoch")))["training"]?["resumes"]?.intValue, 1)

        // Killed between epoch 2's optimiser state and its weights: the torn pair is never used.
        let torn = try TestProcess.run(binary, trainArguments(runId: "torn"), environment: [CrashPoint.environmentKey: "train-checkpoint-2-between-files"])
        XCTAssertEqual(torn.status, CrashPoint.exitStatus, torn.errors)
        XCTAssertEqual(checkpoints("torn"), ["epoch-0001.optstate", "epoch-0001.safetensors", "epoch-0002.optstate"])
        XCTAssertEqual(try resume("torn").status, 0)
        XCTAssertEqual(try JSONValue.parse(try space.read(RunFiles.resume("torn", 1)))["fromEpoch"]?.intValue, 1)
        XCTAssertEqual(try curve("torn"), try curve("straight"))
        XCTAssertEqual(try finalWeights("torn"), try finalWeights("straight"))

        // A real kill -9 as soon as the first epoch is on disk.
        let process = Process()
        process.executableURL = binary
        process.arguments = trainArguments(runId: "killed")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let metrics = "\(run("killed"))/\(Trainer.metricsFile)"
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline,
              (try? String(contentsOfFile: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0 < 2 {
            usleep(20_000)
        }
        XCTAssertTrue(process.isRunning, "still training when killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(space.exists(RunFiles.result("killed")))
        let afterKill = try resume("killed")
        XCTAssertEqual(afterKill.status, 0, afterKill.errors)
        XCTAssertEqual(try curve("killed"), try curve("straight"))
        XCTAssertEqual(try finalWeights("killed"), try finalWeights("straight"))
    }
}

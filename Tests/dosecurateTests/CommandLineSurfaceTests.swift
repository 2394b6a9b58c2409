import Foundation
import SharedCohort
import XCTest

/// The command line as one surface: every command's help is the one its docs page shows, every
/// command refuses what it does not know with exit 2, and misspelt commands get a suggestion.
final class CommandLineSurfaceTests: XCTestCase {
    /// Every command a user can run, as docs/commands/ names them.
    static let commandPaths = [
        "init", "status", "list", "inspect", "audit", "phantoms", "freeze", "verify",
        "split lock", "split extend", "split verify", "split show", "split export",
        "evaluate", "compare", "model init", "model forward", "train", "run", "demo", "predict", "export", "report", "view",
    ]

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private func dosecurate(_ arguments: [String]) throws -> TestProcess.Result {
        try TestProcess.run(try DosecurateBinary.url(), arguments, environment: ["COLUMNS": "80"])
    }

    /// The help snapshot of each command lives in its docs page between generated-help markers, so
    /// a changed option shows in review and the page never goes stale. With
    /// DOSECURATE_UPDATE_DOCS=1 the test rewrites the blocks instead of comparing them.
    func testEachCommandPageShowsTheCommandsHelp() throws {
        let update = ProcessInfo.processInfo.environment["DOSECURATE_UPDATE_DOCS"] == "1"
        let folder = Self.repository.appendingPathComponent("docs/commands")
        var documented: Set<String> = []
        for page in try FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".md") }).sorted() {
            let url = folder.appendingPathComponent(page)
            var text = try String(contentsOf: url, encoding: .utf8)
            var rewritten = ""
            while let begin = text.range(of: "<!-- BEGIN generated help: dosecurate ") {
                let nameEnd = try XCTUnwrap(text.range(of: " -->", range: begin.upperBound..<text.endIndex), page)
                let path = String(text[begin.upperBound..<nameEnd.lowerBound])
                let end = try XCTUnwrap(text.range(of: "<!-- END generated help -->", range: nameEnd.upperBound..<text.endIndex), page)
                let help = try dosecurate(path.split(separator: " ").map(String.init) + ["--help"])
                XCTAssertEqual(help.status, 0, "\(path): \(help.errors)")
                let block = "\n```text\n" + help.output.trimmingCharacters(in: .whitespacesAndNewlines) + "\n```\n"
                if !update {
                    XCTAssertEqual(String(text[nameEnd.upperBound..<end.lowerBound]), block,
                                   "docs/commands/\(page) shows stale help for `dosecurate \(path)` (DOSECURATE_UPDATE_DOCS=1 swift test --filter CommandLineSurfaceTests rewrites it)")
                }
                documented.insert(path)
                rewritten += text[..<nameEnd.upperBound] + block
                text = String(text[end.lowerBound...])
            }
            if update { try (rewritten + text).write(to: url, atomically: true, encoding: .utf8) }
        }
        XCTAssertEqual(documented, Set(Self.commandPaths), "every command has its help on a docs page")
    }

    /// Arguments that satisfy each command's parser, so the unknown flag is what it refuses.
    static let sufficientArguments: [String: [String]] = [
        "inspect": [repository.appendingPathComponent("README.md").path], "audit": ["x"], "phantoms": ["out"], "freeze": ["x"], "split lock": ["main", "--dataset", "d"],
        "split extend": ["main", "--dataset", "d"], "split verify": ["main"], "split show": ["main"], "split export": ["main", "--format", "csv"],
        "model init": ["-o", "w"], "model forward": ["--weights", "w", "--input", "i", "-o", "o"], "export": ["--dataset", "d", "--split", "s", "o.h5"],
        "report": ["x"], "view": ["x.npz"], "evaluate": ["--reference", "r", "--prediction", "p"], "compare": ["--a", "a", "--b", "b"],
        "train": ["--dataset", "d", "--split", "s"], "predict": ["--weights", "w", "--cases", "c", "-o", "o"],
    ]

    func testEveryCommandRefusesAnUnknownFlagWithExitTwo() throws {
        for path in Self.commandPaths {
            let arguments = path.split(separator: " ").map(String.init) + (Self.sufficientArguments[path] ?? []) + ["--no-such-flag"]
            let result = try dosecurate(path == "run" ? arguments + ["--dataset", "d", "--split", "s", "--", "true"] : arguments)
            XCTAssertEqual(result.status, 2, path)
            XCTAssertTrue(result.errors.hasPrefix("error: "), "\(path): \(result.errors)")
            XCTAssertTrue(result.errors.contains("--no-such-flag"), "\(path): \(result.errors)")
        }
    }

    func testMisspeltCommandsExitTwoWithTheNearestName() throws {
        let misspelt = try dosecurate(["audti", "x.npz"])
        XCTAssertEqual(misspelt.status, 2)
        XCTAssertTrue(misspelt.errors.contains("did you mean 'audit'?"), misspelt.errors)
        let help = try dosecurate(["help", "evalute"])
        XCTAssertEqual(help.status, 2)
        XCTAssertTrue(help.errors.contains("did you mean 'evaluate'?"), help.errors)
        let sub = try dosecurate(["split", "lokc", "main"])
        XCTAssertEqual(sub.status, 2)
        XCTAssertTrue(sub.errors.contains("not a dosecurate split command — did you mean 'lock'?"), sub.errors)
        let nothing = try dosecurate(["nosuchthing"])
        XCTAssertEqual(nothing.status, 2)
        XCTAssertFalse(nothing.errors.contains("did you mean"), "no name is near: \(nothing.errors)")

        for group in [[], ["split"], ["model"]] {
            let alone = try dosecurate(group)
            XCTAssertEqual(alone.status, 2, "\(group): a command group alone does nothing that was asked")
            XCTAssertTrue(alone.errors.contains("USAGE: dosecurate"), alone.errors)
        }
        XCTAssertEqual(try dosecurate(["help", "split", "lock"]).status, 0)
        XCTAssertEqual(try dosecurate(["split", "--help"]).status, 0)
        let completion = try dosecurate(["--generate-completion-script", "bash"])
        XCTAssertEqual(completion.status, 0)
        XCTAssertTrue(completion.output.contains("_dosecurate"), "the documented completion script")
    }

    /// Library messages name no flag; the command line adds what to type, by the error's code.
    func testErrorsCarryTheCommandLinesHint() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-hint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try TestProcess.run(try DosecurateBinary.url(), ["status"], in: folder, environment: ["DOSECURATE_WORKSPACE": ""])
        XCTAssertEqual(result.status, 2)
        let lines = result.errors.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("error: not in a dosecurate workspace") == true, result.errors)
        XCTAssertFalse(lines.first?.contains("--workspace") == true, "the message is the library's: \(result.errors)")
        XCTAssertEqual(lines.last, "hint: create one with `dosecurate init DIR`, or name one with --workspace DIR or DOSECURATE_WORKSPACE")
    }

    /// train's settings: the recipe, then --config, then flags; --print-config shows the merge.
    func testTrainFlagsWinOverItsConfigFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-config-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "epochs: 7\nlearningRate: 0.002\n".write(to: folder.appendingPathComponent("c.yaml"), atomically: true, encoding: .utf8)
        let merged = try TestProcess.run(try DosecurateBinary.url(), ["train", "--config", "c.yaml", "--lr", "0.5", "-j", "1", "--print-config", "json"], in: folder)
        XCTAssertEqual(merged.status, 0, merged.errors)
        let settings = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(merged.output.utf8)) as? [String: Any])
        XCTAssertEqual(settings["epochs"] as? Int, 7, "from the file")
        XCTAssertEqual(settings["learningRate"] as? Double, 0.5, "the flag wins")
        XCTAssertEqual(settings["threads"] as? Int, 1)
        XCTAssertEqual(settings["warmupSteps"] as? Int, 100, "the recipe where neither says")
        try "epoch: 7\n".write(to: folder.appendingPathComponent("typo.yaml"), atomically: true, encoding: .utf8)
        let typo = try TestProcess.run(try DosecurateBinary.url(), ["train", "--config", "typo.yaml", "--print-config", "yaml"], in: folder)
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.errors.hasPrefix("error: settings file typo.yaml: unknown setting 'epoch'"), typo.errors)
    }

    /// `--jobs` still works, unseen; given with a different --threads it is a usage error.
    func testJobsIsAHiddenSpellingOfThreads() throws {
        XCTAssertFalse(try dosecurate(["audit", "--help"]).output.contains("--jobs"))
        let both = try dosecurate(["audit", "--jobs", "1", "--threads", "2", "x.npz"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.errors.contains("--jobs is the old name of --threads"), both.errors)
    }
}

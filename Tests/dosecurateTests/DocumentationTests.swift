import Foundation
import SharedCohort
import XCTest

/// The README and docs/ as a newcomer meets them: every relative link leads somewhere, and the
/// README's tour runs as written and prints what the README shows.
final class DocumentationTests: XCTestCase {
    private var repository: URL { CommandLineSurfaceTests.repository }

    private func markdownFiles() throws -> [URL] {
        let docs = repository.appendingPathComponent("docs")
        let pages = FileManager.default.enumerator(at: docs, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return [repository.appendingPathComponent("README.md")] + pages.filter { $0.pathExtension == "md" }
    }

    func testEveryRelativeLinkResolves() throws {
        let link = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        var checked = 0
        for file in try markdownFiles() {
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertFalse(text.contains("../shared/"), "\(file.lastPathComponent) points outside the repository")
            for match in link.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                let target = String(text[range])
                if target.hasPrefix("#") || target.contains("://") || target.hasPrefix("mailto:") { continue }
                let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                let resolved = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL
                XCTAssertTrue(FileManager.default.fileExists(atPath: resolved.path),
                              "\(file.path.replacingOccurrences(of: repository.path + "/", with: "")) links to \(target), which does not exist")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 100, "the link pattern finds the docs' links")
    }

    /// The tour's commands (`$ ` lines in the README's console blocks), run in order in a fresh
    /// folder; each prints lines of the README's shape: the same words, with numbers, hashes and
    /// absolute paths free to differ (times, the machine's floating point). Then every command
    /// that prints a result does so as JSON with a schema name, on the tour's workspace.
    func testTheREADMEToursRunsAsShown() throws {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        let tour = try XCTUnwrap(readme.components(separatedBy: "## A ten-minute tour").dropFirst().first?
            .components(separatedBy: "\n## ").first, "the README has a tour")
        var steps: [(command: String, output: [String])] = []
        var inConsole = false
        for line in tour.components(separatedBy: "\n") {
            if line.hasPrefix("```") { inConsole = line == "```console"; continue }
            guard inConsole else { continue }
            if line.hasPrefix("$ ") { steps.append((String(line.dropFirst(2)), [])) } else { steps[steps.count - 1].output.append(line) }
        }
        XCTAssertGreaterThanOrEqual(steps.count, 10, "the tour shows audit → freeze → split → train → evaluate → report")

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-tour-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        var folder = home
        for step in steps {
            var words = step.command.split(separator: " ").map(String.init)
            if words.first == "cd" {
                folder = folder.appendingPathComponent(words[1])
                continue
            }
            XCTAssertEqual(words.removeFirst(), "dosecurate", step.command)
            let result = try TestProcess.run(try DosecurateBinary.url(), words, in: folder, environment: ["DOSECURATE_WORKSPACE": "", "COLUMNS": "80"])
            XCTAssertTrue([0, 1].contains(result.status), "\(step.command): exit \(result.status)\n\(result.errors)")
            let printed = (result.errors + result.output).components(separatedBy: "\n")
            XCTAssertEqual(Self.shape(printed), Self.shape(step.output), "\(step.command) prints what the README shows")
        }
        try assertJSONResultsNameTheirSchema(in: folder)
    }

    private func assertJSONResultsNameTheirSchema(in workspace: URL) throws {
        let cases = workspace.deletingLastPathComponent().appendingPathComponent("delivery/A/case_0000.npz").path
        let commands: [[String]] = [
            ["init"], ["status"], ["list"], ["inspect", cases], ["audit", cases], ["freeze", "../delivery"], ["verify"],
            ["split", "lock", "main", "--dataset", "latest"], ["split", "show", "main"], ["split", "verify", "main"],
            ["split", "export", "main", "--format", "csv", "-o", "split.csv"],
            ["evaluate", "--run", "first-model", "--dataset", "latest", "--split", "main", "--gamma-dose", "2"],
            ["compare", "--a", "EVALUATION-1", "--b", "EVALUATION-2", "--resamples", "10", "--allow-mismatch"],
            ["predict", "--run", "first-model", "--dataset", "latest", "--split", "main", "-o", "again"],
            ["export", "--dataset", "latest", "--split", "main", "cache.h5"],
            ["run", "--dataset", "latest", "--split", "main", "--run-id", "external", "--json", "--", "true"],
            ["model", "init", "--depth", "1", "-o", "w.safetensors"], ["report", "first-model"], ["view", cases, "-o", "case.html"],
            ["phantoms", "more", "--cases", "1"],
            ["train", "--dataset", "latest", "--split", "main", "--depth", "1", "--patch", "16", "--epochs", "1", "--patches-per-volume", "1"],
        ]
        for command in commands {
            // compare takes the two evaluations the steps before it recorded.
            let evaluations = try FileManager.default.contentsOfDirectory(atPath: workspace.appendingPathComponent("evaluations").path)
                .filter { $0.hasSuffix(".json") }.sorted().map { "evaluations/\($0)" }
            let arguments = command.map { $0.hasPrefix("EVALUATION-") ? evaluations[(Int($0.dropFirst(11)) ?? 1) - 1] : $0 }
                + (command.contains("--json") ? [] : ["--json"])
            let result = try TestProcess.run(try DosecurateBinary.url(), arguments, in: workspace, environment: ["DOSECURATE_WORKSPACE": ""])
            XCTAssertTrue([0, 1].contains(result.status), "\(arguments): exit \(result.status)\n\(result.errors)")
            let document = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            let schema = document?["schema"] as? String
            XCTAssertTrue(schema?.hasPrefix("dosecurate/") == true, "\(arguments.prefix(2)) --json names no schema: \(result.output.prefix(200))")
        }
    }

    /// A line's words with numbers, hashes and absolute paths masked, and training's "(best)"
    /// marks dropped (which epoch is best differs with the machine's floating point); lines naming
    /// the constraints a three-epoch model fails are left out for the same reason.
    static func shape(_ lines: [String]) -> [String] {
        let masks: [(String, String)] = [
            (#"(?<![\w.])/[^\s:;,)]+"#, "PATH"), (#"[0-9a-f]{8,}"#, "H"), (#"[-+]?\d+(\.\d+)?(e[-+]?\d+)?"#, "#"), (#"\s*\(best\)"#, ""), (#"\s+"#, " "),
        ]
        return lines.filter { !$0.contains(" prediction fails ") }.map { line in
            masks.reduce(line) { text, mask in text.replacingOccurrences(of: mask.0, with: mask.1, options: .regularExpression) }
                .trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }
}

import Engine
import Foundation
import Workflows
import XCTest

/// `train --config`: a YAML or JSON file of run.json's `config` keys laid over the recipe.
final class TrainingConfigurationFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dosecurate-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func file(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func assertRefused(_ text: String, code expected: String, key: String? = nil, line: UInt = #line) throws {
        let path = try file("bad.yaml", text)
        XCTAssertThrowsError(try TrainingConfigurationFile.load(path, over: .recipe), line: line) { error in
            let refusal = error as? SettingsFileError
            XCTAssertEqual(refusal?.code, expected, "\(error)", line: line)
            XCTAssertEqual(refusal?.key, key, line: line)
            XCTAssertEqual(refusal?.file, path, line: line)
        }
    }

    func testAYAMLFileReplacesOnlyTheSettingsItNames() throws {
        let path = try file("cpu.yaml", "# a CPU run\npreset: cpu\nlearningRate: 2e-3\npatch: [32, 32, 32]\npatience: null\nepochs: 45\n")
        let loaded = try TrainingConfigurationFile.load(path, over: .recipe)
        var expected = TrainingConfiguration.recipe
        (expected.preset, expected.learningRate, expected.patch, expected.patience, expected.epochs) = (.cpu, 2e-3, [32, 32, 32], nil, 45)
        XCTAssertEqual(loaded, expected)
    }

    func testAJSONFileReadsTheSame() throws {
        let path = try file("cpu.json", #"{"preset": "cpu", "learningRate": 0.002, "warmupSteps": 0}"#)
        let loaded = try TrainingConfigurationFile.load(path, over: .recipe)
        XCTAssertEqual(loaded.preset, .cpu)
        XCTAssertEqual(loaded.learningRate, 0.002)
        XCTAssertEqual(loaded.warmupSteps, 0)
        XCTAssertEqual(loaded.ptvUnderdoseWeight, TrainingConfiguration.recipe.ptvUnderdoseWeight)
        XCTAssertEqual(loaded.ptvUnderdoseTargets, .all, "the recipe's")
        let ptv70 = try TrainingConfigurationFile.load(try file("ptv70.yaml", "ptvUnderdoseTargets: ptv70\n"), over: .recipe)
        XCTAssertEqual(ptv70.ptvUnderdoseTargets, .ptv70)
        try assertRefused("ptvUnderdoseTargets: ptv56\n", code: "settings_file.wrong_type")
    }

    /// What --print-config writes loads back to the same settings, in both formats.
    func testAPrintedConfigurationLoadsBackUnchanged() throws {
        var configuration = TrainingConfiguration.recipe
        (configuration.depth, configuration.seed, configuration.selectionMetric) = (3, 7, .ptv70D95Error)
        for format in TrainingConfigurationFile.Format.allCases {
            let path = try file("printed.\(format.rawValue)", try TrainingConfigurationFile.render(configuration, as: format))
            XCTAssertEqual(try TrainingConfigurationFile.load(path, over: .recipe), configuration, format.rawValue)
        }
    }

    func testMistakesAreRefusedWithTheirCode() throws {
        try assertRefused("learningrate: 0.1\n", code: "settings_file.unknown_key", key: "learningrate")
        try assertRefused("flipProbability: 0\n", code: "settings_file.fixed_setting", key: "flipProbability")
        try assertRefused("epochs: many\n", code: "settings_file.wrong_type")
        try assertRefused("epochs: 0\n", code: "settings_file.invalid_setting")
        try assertRefused("- preset\n- cpu\n", code: "settings_file.not_an_object")
        try assertRefused("preset: [unclosed\n", code: "settings_file.unparsable")
        try assertRefused("patch: {a: 1}\n", code: "settings_file.unsupported_value", key: "patch")
        XCTAssertThrowsError(try TrainingConfigurationFile.load(folder.appendingPathComponent("absent.yaml").path, over: .recipe)) { error in
            XCTAssertEqual((error as? SettingsFileError)?.code, "settings_file.unreadable")
            XCTAssertNotNil((error as? SettingsFileError)?.cause, "the file system's error is kept as the cause")
        }
        XCTAssertThrowsError(try TrainingConfigurationFile.load(try file("range.yaml", "epochs: 0\n"), over: .recipe)) { error in
            XCTAssertEqual((error as? SettingsFileError)?.cause?.code, "engine.invalid_setting", "the engine's refusal is the cause")
        }
    }
}

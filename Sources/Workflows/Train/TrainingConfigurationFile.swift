import Engine
import Foundation
import Support

/// `train --config FILE`: a YAML or JSON object whose keys are those `run.json` records under
/// `config` (any subset), laid over the recipe `train` starts from; `--print-config` writes the
/// whole recipe as a starting file. Unknown keys are refused, so a misspelt setting never
/// silently trains with its default.
public enum TrainingConfigurationFile {
    public enum Format: String, Sendable, CaseIterable {
        case yaml, json
    }

    /// Settings run.json records but the patch sampler fixes: a file that set them would record
    /// values the run never used.
    static let fixedSettings: Set<String> = ["flipProbability", "highDoseCentreFraction"]

    /// The keys a file may set: every recorded setting but the fixed ones.
    public static var settableKeys: [String] {
        guard case let .object(members)? = try? JSONValue(encoding: TrainingConfiguration.recipe) else { return [] }
        return members.keys.filter { !fixedSettings.contains($0) }.sorted()
    }

    /// `base` with the settings `path` names replaced; validated.
    public static func load(_ path: String, over base: TrainingConfiguration) throws -> TrainingConfiguration {
        let settings = try SettingsFile.read(path)
        guard case var .object(merged) = try JSONValue(encoding: base) else {
            throw SettingsFileError(file: path, problem: .notAnObject)
        }
        let known = Set(settableKeys)
        if let fixed = settings.keys.sorted().first(where: fixedSettings.contains) {
            throw SettingsFileError(file: path, problem: .fixedSetting, key: fixed)
        }
        if let unknown = settings.keys.sorted().first(where: { !known.contains($0) }) {
            throw SettingsFileError(file: path, problem: .unknownKey, key: unknown)
        }
        merged.merge(settings) { _, new in new }
        let configuration: TrainingConfiguration
        do { configuration = try JSONValue.object(merged).decode(TrainingConfiguration.self) } catch {
            throw SettingsFileError(file: path, problem: .wrongType, cause: error)
        }
        do { return try configuration.validated() } catch {
            throw SettingsFileError(file: path, problem: .invalidSetting, cause: error)
        }
    }

    /// The text of a starting file holding every setting of `configuration`.
    public static func render(_ configuration: TrainingConfiguration, as format: Format) throws -> String {
        let value = try JSONValue(encoding: configuration)
        switch format {
        case .json:
            guard case var .object(members) = value else { return "" }
            for key in fixedSettings { members.removeValue(forKey: key) }
            return String(decoding: JSONValue.object(members).prettyUTF8, as: UTF8.self)
        case .yaml:
            guard case let .object(members) = value else { return "" }
            // YAML reads JSON's scalars and flow lists as they are.
            let lines = members.keys.sorted().filter { !fixedSettings.contains($0) }.map { key in "\(key): \(members[key]?.canonicalText ?? "null")" }
            return """
                # dosecurate train --config: the settings run.json records under "config".
                # Keep the ones you change; flags given on the command line win over this file.
                # patience: null never stops early. docs/commands/train.md describes each setting.

                """ + lines.joined(separator: "\n") + "\n"
        }
    }
}

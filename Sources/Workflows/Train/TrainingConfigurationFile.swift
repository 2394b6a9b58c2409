import Engine
import Foundation
import Support
import Yams

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
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TrainingConfigurationFileError(file: path, problem: .unreadable, cause: error)
        }
        let settings = try parse(data, file: path)
        guard case var .object(merged) = try JSONValue(encoding: base) else {
            throw TrainingConfigurationFileError(file: path, problem: .notAnObject)
        }
        let known = Set(settableKeys)
        if let fixed = settings.keys.sorted().first(where: fixedSettings.contains) {
            throw TrainingConfigurationFileError(file: path, problem: .fixedSetting, key: fixed)
        }
        if let unknown = settings.keys.sorted().first(where: { !known.contains($0) }) {
            throw TrainingConfigurationFileError(file: path, problem: .unknownKey, key: unknown)
        }
        merged.merge(settings) { _, new in new }
        let configuration: TrainingConfiguration
        do { configuration = try JSONValue.object(merged).decode(TrainingConfiguration.self) } catch {
            throw TrainingConfigurationFileError(file: path, problem: .wrongType, cause: error)
        }
        do { return try configuration.validated() } catch {
            throw TrainingConfigurationFileError(file: path, problem: .invalidSetting, cause: error)
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

    private static func parse(_ data: Data, file: String) throws -> [String: JSONValue] {
        let text = String(decoding: data, as: UTF8.self)
        let tree: Any?
        do { tree = try Yams.load(yaml: text) } catch {
            throw TrainingConfigurationFileError(file: file, problem: .unparsable, cause: error)
        }
        guard let object = tree as? [String: Any] else { throw TrainingConfigurationFileError(file: file, problem: .notAnObject) }
        var settings: [String: JSONValue] = [:]
        for (key, value) in object {
            guard let json = jsonValue(value) else { throw TrainingConfigurationFileError(file: file, problem: .unsupportedValue, key: key) }
            settings[key] = json
        }
        return settings
    }

    private static func jsonValue(_ value: Any) -> JSONValue? {
        switch value {
        case is NSNull: return .null
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(Int64(number))
        case let number as Double: return .number(number)
        case let text as String: return .string(text)
        case let items as [Any]:
            let converted = items.compactMap(jsonValue)
            return converted.count == items.count ? .array(converted) : nil
        default: return nil
        }
    }
}

/// Why a training configuration file was refused.
public struct TrainingConfigurationFileError: CodedError, Sendable {
    public enum Problem: String, Sendable, Equatable {
        case unreadable, unparsable, notAnObject = "not_an_object", wrongType = "wrong_type", invalidSetting = "invalid_setting"
        case unknownKey = "unknown_key", fixedSetting = "fixed_setting", unsupportedValue = "unsupported_value"
    }

    public let file: String
    public let problem: Problem
    /// The setting the problem is about, when it is one (an unknown or fixed key, an unsupported value).
    public let key: String?
    public let cause: ErrorCause?

    init(file: String, problem: Problem, key: String? = nil, cause: (any Error)? = nil) {
        (self.file, self.problem, self.key, self.cause) = (file, problem, key, cause.map(ErrorCause.init))
    }

    public var code: String { "training_configuration.\(problem.rawValue)" }

    public var description: String {
        let reason = switch problem {
        case .unreadable: "the file cannot be read"
        case .unparsable: "not YAML or JSON"
        case .notAnObject: "expected an object of settings (key: value lines)"
        case .wrongType: "a setting has the wrong type"
        case .invalidSetting: "a setting is out of range"
        case .unknownKey: "unknown setting '\(key ?? "")' (known: \(TrainingConfigurationFile.settableKeys.joined(separator: ", ")))"
        case .fixedSetting: "\(key ?? "") is fixed by the patch sampler (recorded, not settable)"
        case .unsupportedValue: "\(key ?? ""): expected a number, string, boolean, null or a list of them"
        }
        return "training configuration \(file): \(reason)" + (cause.map { ": \($0)" } ?? "")
    }
}

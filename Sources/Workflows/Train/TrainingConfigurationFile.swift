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

    /// `base` with the settings `path` names replaced; validated.
    public static func load(_ path: String, over base: TrainingConfiguration) throws -> TrainingConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TrainingConfigurationFileError(file: path, code: .unreadable, cause: error)
        }
        let settings = try parse(data, file: path)
        guard case var .object(merged) = try JSONValue(encoding: base) else {
            throw TrainingConfigurationFileError(file: path, code: .notAnObject)
        }
        let known = Set(merged.keys).subtracting(fixedSettings)
        if let fixed = settings.keys.sorted().first(where: fixedSettings.contains) {
            throw TrainingConfigurationFileError(file: path, code: .fixedSetting(fixed))
        }
        if let unknown = settings.keys.sorted().first(where: { !known.contains($0) }) {
            throw TrainingConfigurationFileError(file: path, code: .unknownKey(unknown, known: known.sorted()))
        }
        merged.merge(settings) { _, new in new }
        let configuration: TrainingConfiguration
        do { configuration = try JSONValue.object(merged).decode(TrainingConfiguration.self) } catch {
            throw TrainingConfigurationFileError(file: path, code: .wrongType, cause: error)
        }
        do { return try configuration.validated() } catch {
            throw TrainingConfigurationFileError(file: path, code: .invalidSetting, cause: error)
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
            throw TrainingConfigurationFileError(file: file, code: .unparsable, cause: error)
        }
        guard let object = tree as? [String: Any] else { throw TrainingConfigurationFileError(file: file, code: .notAnObject) }
        var settings: [String: JSONValue] = [:]
        for (key, value) in object {
            guard let json = jsonValue(value) else { throw TrainingConfigurationFileError(file: file, code: .unsupportedValue(key: key)) }
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
public struct TrainingConfigurationFileError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case unreadable, unparsable, notAnObject, wrongType, invalidSetting
        case unknownKey(String, known: [String])
        case fixedSetting(String)
        case unsupportedValue(key: String)
    }

    public let file: String
    public let code: Code
    public let cause: (any Error)?

    init(file: String, code: Code, cause: (any Error)? = nil) { (self.file, self.code, self.cause) = (file, code, cause) }

    public var description: String {
        let reason = switch code {
        case .unreadable: "the file cannot be read"
        case .unparsable: "not YAML or JSON"
        case .notAnObject: "expected an object of settings (key: value lines)"
        case .wrongType: "a setting has the wrong type"
        case .invalidSetting: "a setting is out of range"
        case let .unknownKey(key, known): "unknown setting '\(key)' (known: \(known.joined(separator: ", ")))"
        case let .fixedSetting(key): "\(key) is fixed by the patch sampler (recorded, not settable)"
        case let .unsupportedValue(key): "\(key): expected a number, string, boolean, null or a list of them"
        }
        return "training configuration \(file): \(reason)" + (cause.map { ": \($0)" } ?? "")
    }
}

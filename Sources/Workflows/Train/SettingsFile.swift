import Foundation
import Support
import Yams

/// A file of settings, YAML or JSON (YAML reads JSON too): `train --config` lays it over the
/// recipe; `run --config` records it in run.json and hands it to the command.
public enum SettingsFile {
    /// The settings in `path`: a YAML or JSON object of scalars and flat lists.
    public static func read(_ path: String) throws -> [String: JSONValue] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw SettingsFileError(file: path, problem: .unreadable, cause: error)
        }
        let tree: Any?
        do { tree = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) } catch {
            throw SettingsFileError(file: path, problem: .unparsable, cause: error)
        }
        guard let object = tree as? [String: Any] else { throw SettingsFileError(file: path, problem: .notAnObject) }
        var settings: [String: JSONValue] = [:]
        for (key, value) in object {
            guard let json = jsonValue(value) else { throw SettingsFileError(file: path, problem: .unsupportedValue, key: key) }
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

/// Why a settings file (`train --config`, `run --config`) was refused.
public struct SettingsFileError: CodedError, Sendable {
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

    public var code: String { "settings_file.\(problem.rawValue)" }

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
        return "settings file \(file): \(reason)" + (cause.map { ": \($0)" } ?? "")
    }
}

import Dosimetry
import Evaluation
import Foundation

/// The commands that reproduce an evaluation, read from its record: what a reader pastes to get
/// the same numbers (the record's hash says whether they did).
public enum EvaluationCommands {
    /// `evaluate` with every setting that differs from the default, then `verify` and `report`.
    /// `predictionFolder` is where the record's prediction files lie (their common folder).
    public static func reproduce(_ record: EvaluationRecord, recordName: String) -> [String] {
        let settings = record.identity.settings
        var arguments = ["dosecurate", "evaluate"]
        if let version = settings.datasetVersion, let split = settings.split {
            arguments += ["--dataset", version, "--split", "\(split.name)@\(split.revision)", "--role", split.role]
        } else {
            for file in record.context.files { arguments += ["--reference", quoted(file.reference)] }
        }
        if let run = record.identity.model?.run { arguments += ["--run", run] }
        if let folder = predictionFolder(record) { arguments += ["--prediction", quoted(folder)] }
        let gamma = settings.gamma, defaults = GammaCriteria.historic
        if gamma.dosePercent != defaults.dosePercent { arguments += ["--gamma-dose", GammaCriteria.format(gamma.dosePercent)] }
        if gamma.distanceMM != defaults.distanceMM { arguments += ["--gamma-distance", GammaCriteria.format(gamma.distanceMM)] }
        if gamma.lowerDoseCutoffPercent != defaults.lowerDoseCutoffPercent {
            arguments += ["--gamma-cutoff", GammaCriteria.format(gamma.lowerDoseCutoffPercent)]
        }
        if gamma.maxGamma != defaults.maxGamma { arguments += ["--max-gamma", GammaCriteria.format(gamma.maxGamma)] }
        if gamma.normalisation == .local { arguments.append("--local-gamma") }
        if gamma.subsample != 1 { arguments += ["--subsample", String(gamma.subsample)] }
        if record.identity.gammaStatistics == .passRate { arguments += ["--gamma-stat", "pass-rate"] }
        if settings.region.margin != .cuboid { arguments += ["--region-margin", settings.region.margin.rawValue] }
        let protocolName = settings.acceptanceProtocol.definition.name
        if protocolName != AcceptanceProtocol.defaultName { arguments += ["--protocol", quoted(protocolName)] }
        if settings.openKBP { arguments.append("--openkbp") }
        if settings.predictionDoseUnit == .gy { arguments += ["--dose-unit", "gy"] }
        if settings.datasetVersion == nil { arguments.append("--record") }
        if record.context.gammaMaps != nil { arguments.append("--save-gamma") }
        return [arguments.joined(separator: " "), "dosecurate verify", "dosecurate report \(record.hash.prefix(16))"]
    }

    /// The folder holding every prediction file, when they share one.
    static func predictionFolder(_ record: EvaluationRecord) -> String? {
        let folders = Set(record.context.files.map { ($0.prediction as NSString).deletingLastPathComponent })
        return folders.count == 1 ? folders.first : nil
    }

    private static func quoted(_ text: String) -> String {
        text.allSatisfy { $0.isLetter || $0.isNumber || "-_./@:".contains($0) } ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

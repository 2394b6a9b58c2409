import Foundation
import Lineage
import Support

/// What a report shows of a run: its pins and label from `run.json`, how it ended from
/// `result.json` (absent while it runs), and its `metrics.csv`.
public struct RunSummary: Sendable {
    public let id: String
    public let pins: RunRecord.Pins
    /// `run.json`'s identity: the engine (`kind`, an external `command`), `config`, `model`.
    public let identity: JSONValue
    /// `result.json`'s identity (`status`, `exitCode`, `training`, `artifacts`); nil while running.
    public let result: JSONValue?
    public let metrics: RunMetrics?

    public init(id: String, pins: RunRecord.Pins, identity: JSONValue, result: JSONValue?, metrics: RunMetrics?) {
        (self.id, self.pins, self.identity, self.result, self.metrics) = (id, pins, identity, result, metrics)
    }

    /// "dosecurate (built-in, preset tiny)" or the external command.
    public var engineText: String {
        if identity["engine"]?["kind"]?.stringValue == "external" {
            let command = identity["engine"]?["command"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return "external: " + command.joined(separator: " ")
        }
        let preset = identity["config"]?["preset"]?.stringValue
        return "dosecurate built-in engine" + (preset.map { ", preset \($0)" } ?? "")
    }

    /// "succeeded (exit 0)", or "running or killed (no result.json)".
    public var statusText: String {
        guard let result else { return "no result.json yet (running, or killed before it ended)" }
        let status = result["status"]?.stringValue ?? "unknown"
        return result["exitCode"]?.intValue.map { "\(status) (exit \($0))" } ?? status
    }

    /// The built-in engine's best epoch and its validation value, when the result names them.
    public var bestText: String? {
        guard let best = result?["training"]?["best"], let epoch = best["epoch"]?.intValue else { return nil }
        let value = best["value"]?.doubleValue.map { " (\(best["metric"]?.stringValue ?? "value") " + String(format: "%.3f", $0) + ")" } ?? ""
        return "epoch \(epoch)\(value)"
    }
}

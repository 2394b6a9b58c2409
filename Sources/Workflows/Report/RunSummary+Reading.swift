import Lineage
import Reports
import Support

extension RunSummary {
    /// Reads `runs/<id>/`: `run.json` must be intact (its hash), `result.json` is read when present.
    public static func read(_ id: String, in workspace: Workspace) throws -> RunSummary {
        let bytes = try workspace.read(RunFiles.record(id))
        let pins = try RunRecord.pins(of: bytes, path: workspace.file(RunFiles.record(id)))
        let identity = try (try? FlatRecord.read(bytes, path: RunFiles.record(id)))?.identity ?? JSONValue.parse(bytes)
        var result: JSONValue?
        if workspace.exists(RunFiles.result(id)) {
            let resultBytes = try workspace.read(RunFiles.result(id))
            result = (try? FlatRecord.read(resultBytes, path: RunFiles.result(id)))?.identity ?? (try? JSONValue.parse(resultBytes))
        }
        return RunSummary(id: id, pins: pins, identity: identity, result: result, metrics: try RunMetrics.read(runId: id, in: workspace))
    }
}

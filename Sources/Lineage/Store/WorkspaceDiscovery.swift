import Foundation
import Support

/// Where the workspace is (DESIGN "Workspace creation"), as git finds a repository: `--workspace
/// DIR`, else `DOSECURATE_WORKSPACE`, else the nearest folder at or above the current one holding
/// the marker `.dosecurate/workspace.json`. Commands that only read refuse a folder that is not a
/// workspace and create nothing; commands that write records create one where none is found, and
/// say so. A folder with records but no marker (made before the marker existed) still counts as a
/// workspace; `dosecurate init` adds its marker.
public enum WorkspaceDiscovery {
    public static let environmentKey = "DOSECURATE_WORKSPACE"
    public static let markerName = ".dosecurate/workspace.json"
    static let markerSchema = "dosecurate/workspace/1"

    /// How the workspace was found.
    public enum Origin: Sendable, Equatable {
        /// `--workspace` or `DOSECURATE_WORKSPACE` named it.
        case named
        /// The nearest marked (or record-holding) folder at or above the current one.
        case found
        /// None was found: the command created one, as `init` would.
        case created
    }

    /// The folder `--workspace` (or the environment) names, if any.
    static func named(_ explicit: String?, environment: [String: String]) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        if let value = environment[environmentKey], !value.isEmpty { return value }
        return nil
    }

    /// Whether `folder` is a workspace: it holds the marker, or records written before the marker existed.
    public static func isWorkspace(_ folder: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(folder)/\(markerName)") || holdsRecords(folder)
    }

    /// A workspace made before `init` existed: records in their folders.
    static func holdsRecords(_ folder: String) -> Bool {
        let files = { (name: String) in (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(name)")) ?? [] }
        return files("datasets").contains { $0.hasPrefix("dsv-") && $0.hasSuffix(".json") }
            || files("splits").contains { $0.contains("@") && $0.hasSuffix(".json") }
            || files("evaluations").contains { $0.hasSuffix(".json") }
    }

    /// The nearest workspace at or above `start`.
    static func search(from start: String) -> String? {
        var folder = (start as NSString).standardizingPath
        while true {
            if isWorkspace(folder) { return folder }
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { return nil }
            folder = parent
        }
    }

    /// For commands that only read (`verify`, `status`, `list`, `report`, `split show|verify`):
    /// the workspace, or a refusal that says how to make one. Creates nothing.
    public static func existing(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                                currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> Workspace {
        if let named = named(explicit, environment: environment) {
            guard isWorkspace(named) else { throw LineageError.notAWorkspace(path: named, searched: false) }
            return try Workspace(path: named, create: false)
        }
        guard let found = search(from: currentDirectory) else { throw LineageError.notAWorkspace(path: currentDirectory, searched: true) }
        return try Workspace(path: found, create: false)
    }

    /// For commands that write records: the workspace found, or a new one in the named folder (or
    /// the current one), with how it came to be.
    public static func forWriting(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                                  currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> (Workspace, Origin) {
        if let named = named(explicit, environment: environment) {
            if isWorkspace(named) { return (try Workspace(path: named, create: false), .named) }
            return (try initialize(named).workspace, .created)
        }
        if let found = search(from: currentDirectory) { return (try Workspace(path: found, create: false), .found) }
        return (try initialize(currentDirectory).workspace, .created)
    }

    /// The cache of commands run outside any workspace (`audit` of a delivery): `$XDG_CACHE_HOME/dosecurate`,
    /// else `~/.cache/dosecurate` — never the current folder.
    public static func userCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") { return "\(base)/dosecurate" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return "\(home)/.cache/dosecurate"
    }

    /// What `init` did.
    public enum InitOutcome: Sendable, Equatable {
        case created
        /// Records were there without a marker: the marker was added.
        case upgraded
        case alreadyAWorkspace
    }

    /// `dosecurate init DIR`: creates the folder if needed and writes the marker (atomically).
    public static func initialize(_ folder: String) throws -> (workspace: Workspace, outcome: InitOutcome) {
        let workspace = try Workspace(path: folder, create: true)
        let marker = workspace.file(markerName)
        if FileManager.default.fileExists(atPath: marker) { return (workspace, .alreadyAWorkspace) }
        let outcome: InitOutcome = holdsRecords(folder) ? .upgraded : .created
        do {
            try FileManager.default.createDirectory(atPath: workspace.file(".dosecurate"), withIntermediateDirectories: true)
            let text = JSONValue.object(["schema": .string(markerSchema)]).prettyUTF8
            try AtomicFile.write(text, to: marker)
        } catch {
            throw LineageError.workspaceUnusable(path: folder, reason: .cause(error, "cannot write its marker \(markerName)"))
        }
        return (workspace, outcome)
    }
}

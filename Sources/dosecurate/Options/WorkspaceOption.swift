import ArgumentParser
import Foundation
import Lineage

/// `--workspace`, for the commands that read or write a workspace's records or caches.
struct WorkspaceOption: ParsableArguments {
    @Option(name: .long, help: "The workspace folder (default: \(WorkspaceDiscovery.environmentKey), else the nearest workspace at or above the current folder).")
    var workspace: String?
}

extension WorkspaceOption {
    /// The workspace a reading command works in; refuses (exit 2) when there is none, creating nothing.
    func existingWorkspace() throws -> Workspace {
        try WorkspaceDiscovery.existing(explicit: workspace)
    }

    /// The workspace a recording command writes to; creates one, and says so, when none is found.
    func workspaceForWriting() throws -> Workspace {
        let (space, origin) = try WorkspaceDiscovery.forWriting(explicit: workspace)
        if origin == .created {
            FileHandle.standardError.write("created a workspace in \(space.resolvedPath) (\(WorkspaceDiscovery.markerName)), as `dosecurate init` would\n")
        }
        return space
    }

    /// The workspace, when one is named or found; nil without one (nothing is created).
    func workspaceIfAny() throws -> Workspace? {
        do { return try existingWorkspace() } catch LineageError.notAWorkspace { return nil }
    }

    /// Where hash and audit caches go: the workspace's, or the user's cache folder outside one.
    func cacheDirectory() throws -> String {
        try workspaceIfAny()?.cacheDirectory ?? WorkspaceDiscovery.userCacheDirectory()
    }
}
